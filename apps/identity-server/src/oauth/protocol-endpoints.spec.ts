import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config/app-config';
import type { JwksDocument, JwksPublisher } from '../keys/jwks.publisher';
import type { IntrospectionEndpoint } from './endpoints/introspection.endpoint';
import type { RevocationEndpoint } from './endpoints/revocation.endpoint';
import type { TokenEndpoint } from './endpoints/token.endpoint';
import { noneMatchHits, ProtocolEndpoints } from './protocol-endpoints';

/** The JWKS as `ProtocolEndpoints` serves it, over a real socket, with the key ring stubbed. */
describe('ProtocolEndpoints, the JWKS', () => {
  let server: Server;
  let base: string;
  let current: () => Promise<JwksDocument>;

  beforeAll(async () => {
    const jwks = {
      cacheControl: 'public, max-age=60',
      current: () => current(),
    } as unknown as JwksPublisher;
    const unused = {} as TokenEndpoint & RevocationEndpoint & IntrospectionEndpoint;
    const endpoints = new ProtocolEndpoints(unused, unused, unused, jwks, {
      logLevel: 'silent',
    } as AppConfig);
    server = createServer((_req, res) => {
      res.statusCode = 404;
      res.end('not found by the next listener');
    });
    endpoints.attachTo(server, () => false);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const doc: JwksDocument = { body: Buffer.from('{"keys":[]}'), etag: '"abc"' };

  it('answers 500 in Nest’s words, not with a dropped connection, when the keys cannot be read', async () => {
    current = () => Promise.reject(new Error('database down'));
    const res = await fetch(`${base}/.well-known/jwks.json`);
    expect(res.status).toBe(500);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ statusCode: 500, message: 'Internal server error' });
  });

  it('serves the document, 304 for its ETag, and headers only for HEAD', async () => {
    current = () => Promise.resolve(doc);
    const res = await fetch(`${base}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jwk-set+json');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await res.text()).toBe('{"keys":[]}');

    const revalidated = await fetch(`${base}/.well-known/jwks.json`, {
      headers: { 'if-none-match': '"abc"' },
    });
    expect(revalidated.status).toBe(304);
    const head = await fetch(`${base}/.well-known/jwks.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(doc.body.length));
    expect(await head.text()).toBe('');
  });

  it('revalidates with 304 under Cache-Control: no-cache too (the origin is what no-cache asks for)', async () => {
    current = () => Promise.resolve(doc);
    const res = await fetch(`${base}/.well-known/jwks.json`, {
      headers: { 'if-none-match': '"abc"', 'cache-control': 'no-cache' },
    });
    expect(res.status).toBe(304);
  });

  it('answers another method itself: 405 with Allow, or 204 for OPTIONS', async () => {
    current = () => Promise.resolve(doc);
    const post = await fetch(`${base}/.well-known/jwks.json`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    const options = await fetch(`${base}/.well-known/jwks.json`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('leaves every other spelling of the path to the next listener', async () => {
    current = () => Promise.resolve(doc);
    for (const [method, path] of [
      ['POST', '/.well-known/JWKS.json'],
      ['GET', '/.well-known/jwks.json/'],
      ['GET', '/.well-known/JWKS.json'],
    ]) {
      const res = await fetch(`${base}${path}`, { method });
      expect(await res.text()).toBe('not found by the next listener');
    }
  });
});

describe('noneMatchHits, If-None-Match (RFC 9110 §13.1.2)', () => {
  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"x",W/"abc" , "y"', true],
    ['*', true],
    [' * ', true],
    ['"abcd"', false],
    ['"ab"', false],
    ['abc', false],
    ['"x", "y"', false],
    ['"x" "abc"', false],
    ['"x,", "abc"', true],
    ['"x,abc"', false],
    ['', false],
  ])('%j → %s', (field, hit) => {
    expect(noneMatchHits(field, '"abc"')).toBe(hit);
  });

  it('is false with no field', () => expect(noneMatchHits(undefined, '"abc"')).toBe(false));
});
