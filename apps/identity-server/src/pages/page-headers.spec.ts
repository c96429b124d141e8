import type { Response } from 'express';
import { contentSecurityPolicy, cspOrigin, pageHeaders, sendPage } from './page-headers';

describe('page headers', () => {
  it('sets a strict CSP with no script source', () => {
    expect(contentSecurityPolicy()).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  it('adds validated origins to form-action only, once each', () => {
    const csp = contentSecurityPolicy([
      'https://app.example.com',
      'http://127.0.0.1:8080/',
      'https://app.example.com',
    ]);
    expect(csp).toContain("form-action 'self' https://app.example.com http://127.0.0.1:8080;");
    expect(csp.split('https://app.example.com')).toHaveLength(2);
  });

  it.each([
    "https://a.example; script-src 'unsafe-inline'",
    'https://a.example https://b.example',
    'https://a.example\r\nSet-Cookie: x=1',
    'https://a.example/callback',
    'https://a.example?x',
    'https://user@a.example',
    'javascript:alert(1)',
    'data:text/html,x',
    "'unsafe-inline'",
    '*',
    '',
  ])('drops %j, which is not an origin', (value) => {
    expect(cspOrigin(value)).toBeNull();
    expect(contentSecurityPolicy([value])).toBe(contentSecurityPolicy());
  });

  it('accepts only the canonical serialisation of an origin', () => {
    expect(cspOrigin('HTTPS://App.Example.com:443')).toBeNull();
    expect(cspOrigin('https://app.example.com:8443')).toBe('https://app.example.com:8443');
  });

  it('sends every security header with the status and the page', () => {
    const headers: Record<string, string> = {};
    const sent: { status?: number; body?: string } = {};
    const res = {
      status(code: number) {
        sent.status = code;
        return this;
      },
      setHeader(name: string, value: string) {
        headers[name.toLowerCase()] = value;
        return this;
      },
      send(body: string) {
        sent.body = body;
        return this;
      },
    } as unknown as Response;
    sendPage(res, 400, '<p>x</p>', { formActionOrigins: ['https://app.example.com'] });
    expect(sent).toEqual({ status: 400, body: '<p>x</p>' });
    expect(headers).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': contentSecurityPolicy(['https://app.example.com']),
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    expect(pageHeaders()).toMatchObject({ 'Cache-Control': 'no-store' });
  });
});
