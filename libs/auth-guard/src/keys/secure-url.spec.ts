import { requireSecureUrl } from './secure-url';

describe('requireSecureUrl', () => {
  const accepted = (url: string, allowInsecureHttp = false) =>
    expect(() => requireSecureUrl(url, 'the url', allowInsecureHttp)).not.toThrow();
  const refused = (url: string, allowInsecureHttp = false) =>
    expect(() => requireSecureUrl(url, 'the url', allowInsecureHttp)).toThrow(
      /the url must be an https URL/,
    );

  it('accepts https on any host', () => {
    accepted('https://id.example.com');
    accepted('https://id.example.com:8443/tenant/a/');
  });

  it('accepts plain http on loopback hosts only: localhost, 127.0.0.0/8, [::1]', () => {
    for (const url of [
      'http://localhost:3000',
      'http://LOCALHOST',
      'http://127.0.0.1:3000',
      'http://127.255.255.254/jwks',
      'http://[::1]:3000',
      'http://[0:0:0:0:0:0:0:1]/', // WHATWG URL writes it as [::1]
      'http://2130706433/', // 127.0.0.1 in one number, normalised by WHATWG URL
    ])
      accepted(url);
    for (const url of [
      'http://id.example.com',
      'http://localhost.example.com',
      'http://127.0.0.1.nip.io',
      'http://127.0.0.1@id.example.com', // userinfo, not the host
      'http://128.0.0.1',
      'http://0.0.0.0',
      'http://10.0.0.1',
      'http://[::2]',
    ])
      refused(url);
  });

  it('accepts any http with allowInsecureHttp, but never another scheme', () => {
    accepted('http://id.example.com', true);
    refused('ftp://id.example.com', true);
    refused('file:///etc/jwks.json', true);
    refused('data:application/json,{"keys":[]}', true);
  });

  it('refuses what is not a URL', () => {
    refused('');
    refused('id.example.com');
  });
});
