import type { Request, Response } from 'express';
import { clearCookie, readCookie, setCookie } from './cookies';

function fakeResponse(): { res: Response; set: string[] } {
  const set: string[] = [];
  const record = (name: string) => set.push(name);
  return { res: { cookie: record, clearCookie: record } as unknown as Response, set };
}

describe('cookies', () => {
  it('reads the first of two cookies with one name (the most specific path)', () => {
    const req = { headers: { cookie: 'a=1; tessera_session=first; tessera_session=second' } };
    expect(readCookie(req as Request, 'tessera_session')).toBe('first');
    expect(readCookie(req as Request, '__Host-tessera_session')).toBeUndefined();
  });

  it('sends prefixed cookies only with the attributes their prefix needs (RFC 6265bis §4.1.3)', () => {
    const { res, set } = fakeResponse();
    const secureRoot = { path: '/', secure: true, maxAgeSeconds: 60 };
    setCookie(res, '__Host-s', 'v', secureRoot);
    setCookie(res, '__Secure-i', 'v', { ...secureRoot, path: '/interaction/x' });
    clearCookie(res, '__Host-s', secureRoot);
    setCookie(res, 'plain', 'v', { ...secureRoot, secure: false });
    expect(set).toEqual(['__Host-s', '__Secure-i', '__Host-s', 'plain']);

    expect(() => setCookie(res, '__Host-s', 'v', { ...secureRoot, secure: false })).toThrow(
      /Secure/,
    );
    expect(() => setCookie(res, '__Host-s', 'v', { ...secureRoot, path: '/oauth' })).toThrow(
      /Path/,
    );
    expect(() => clearCookie(res, '__Secure-i', { path: '/x', secure: false })).toThrow(/Secure/);
    expect(set).toHaveLength(4);
  });
});
