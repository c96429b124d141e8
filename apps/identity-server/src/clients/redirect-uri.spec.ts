import { redirectUriProblem } from './redirect-uri';

describe('redirectUriProblem', () => {
  it.each([
    'https://app.example.com/callback',
    'https://app.example.com/cb?x=1',
    'http://127.0.0.1:8080/cb',
    'http://localhost/cb',
    'http://[::1]:3000/cb',
  ])('accepts %s', (uri) => expect(redirectUriProblem(uri)).toBeNull());

  it.each([
    ['/relative/path', 'absolute'],
    ['https://*.example.com/cb', 'wildcards'],
    ['https://app.example.com/cb#frag', 'fragment'],
    ['http://app.example.com/cb', 'https'],
    ['ftp://app.example.com/cb', 'https'],
    ['javascript:alert(1)', 'https'],
    ['https://user:pw@app.example.com/cb', 'credentials'],
    ['http://127.0.0.1.evil.com/cb', 'https'],
  ])('refuses %s (%s)', (uri, why) => {
    expect(redirectUriProblem(uri)).toContain(why);
  });
});
