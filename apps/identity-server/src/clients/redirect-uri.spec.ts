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
    // Not in the form a parser writes back: the reviewer would read another URL than the browser follows.
    ['https://evil.example\\@good.example/cb', 'https://evil.example/@good.example/cb'],
    ['https://good.example\t.evil.example/cb', 'https://good.example.evil.example/cb'],
    ['https://app.example.com/c b', 'https://app.example.com/c%20b'],
    ['https://app.example.com/cb\n', 'https://app.example.com/cb)'],
    ['https:app.example.com/cb', 'https://app.example.com/cb'],
    ['https://app.example.com/../cb', 'https://app.example.com/cb'],
    ['http://127.1/cb', 'http://127.0.0.1/cb'],
    ['HTTPS://App.Example.com/cb', 'https://app.example.com/cb'],
    ['https://app.example.com', 'https://app.example.com/'],
    ['https://bücher.example/cb', 'https://xn--bcher-kva.example/cb'],
  ])('refuses %s (%s)', (uri, why) => {
    expect(redirectUriProblem(uri)).toContain(why);
  });
});
