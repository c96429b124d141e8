import { Logger } from '@nestjs/common';
import { JWK } from 'jose';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { AuthGuardModuleOptions } from '../auth-guard.options';
import { remoteJwksResolver } from './remote-jwks.resolver';
import { SigningKeysUnavailableError } from './signing-keys-unavailable.error';

function rsaJwk(kid: string): { jwk: JWK; publicKey: KeyObject } {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'RS256', use: 'sig' };
  return { jwk, publicKey };
}

/** The address a `fetch` call was given. */
const urlOf = (input: string | URL | Request) =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A stand-in issuer: RFC 8414 metadata and a JWKS that the test changes, with
 * a count of the requests per path and a switch that makes it answer 503.
 */
class FakeIssuer {
  keys: JWK[] = [];
  down = false;
  readonly hits: Record<string, number> = {};
  private server: Server | undefined;
  url = '';
  /** The issuer named in the metadata (RFC 8414 §3.3 says it must be ours). */
  claimedIssuer: string | undefined;
  /** The `jwks_uri` named in the metadata; default this server's `/jwks`. */
  claimedJwksUri: string | undefined;

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? '';
      this.hits[path] = (this.hits[path] ?? 0) + 1;
      if (this.down) {
        res.writeHead(503).end();
        return;
      }
      if (path === '/.well-known/oauth-authorization-server') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            issuer: this.claimedIssuer ?? this.url,
            jwks_uri: this.claimedJwksUri ?? `${this.url}/jwks`,
          }),
        );
        return;
      }
      if (path === '/jwks') {
        res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
        res.end(JSON.stringify({ keys: this.keys }));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  count(path: string): number {
    return this.hits[path] ?? 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe('remoteJwksResolver', () => {
  let issuer: FakeIssuer;
  const k1 = rsaJwk('k1');
  const k2 = rsaJwk('k2');

  const resolver = (extra: Partial<AuthGuardModuleOptions> = {}) =>
    remoteJwksResolver({
      issuer: issuer.url,
      audience: 'api',
      jwks: { cooldownSeconds: 0.3, cacheMaxAgeSeconds: 60, timeoutMs: 1000 },
      ...extra,
    });
  const exportJwk = (key: KeyObject | undefined) => key?.export({ format: 'jwk' });

  let warnings: jest.SpyInstance;

  beforeEach(async () => {
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    issuer = new FakeIssuer();
    issuer.keys = [k1.jwk];
    await start();
  });
  afterEach(async () => {
    warnings.mockRestore();
    await issuer.stop();
  });
  const start = () => issuer.start();

  it('discovers the JWKS from the issuer metadata (RFC 8414) and returns the key with that kid', async () => {
    const resolve = resolver();
    const key = await resolve({ kid: 'k1', alg: 'RS256' });
    expect(exportJwk(key)).toEqual(k1.publicKey.export({ format: 'jwk' }));
    expect(issuer.count('/.well-known/oauth-authorization-server')).toBe(1);
    expect(issuer.count('/jwks')).toBe(1);
    // Cached: no further requests.
    await resolve({ kid: 'k1', alg: 'RS256' });
    expect(issuer.count('/jwks')).toBe(1);
    expect(issuer.count('/.well-known/oauth-authorization-server')).toBe(1);
  });

  it('finds no key for an algorithm the key was not published for', async () => {
    const resolve = resolver();
    await expect(resolve({ kid: 'k1', alg: 'ES256' })).resolves.toBeUndefined();
    await expect(resolve({ kid: 'k1', alg: 'RS384' })).resolves.toBeUndefined();
  });

  it('refuses metadata that names another issuer (RFC 8414 §3.3: no mix-up)', async () => {
    issuer.claimedIssuer = 'https://someone-else.test';
    const resolve = resolver();
    await expect(resolve({ kid: 'k1', alg: 'RS256' })).rejects.toThrow('signing keys unavailable');
    expect(issuer.count('/jwks')).toBe(0);
  });

  it('answers a flood of unknown kids from the cache: at most one refetch per cooldown', async () => {
    const resolve = resolver({ jwksUri: `${issuer.url}/jwks` });
    await resolve({ kid: 'k1', alg: 'RS256' });
    expect(issuer.count('/jwks')).toBe(1);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => resolve({ kid: `made-up-${i}`, alg: 'RS256' })),
    );
    expect(answers.every((key) => key === undefined)).toBe(true);
    for (let i = 0; i < 50; i++) await resolve({ kid: `serial-${i}`, alg: 'RS256' });
    // The first fetch was moments ago: the cooldown holds every refetch back.
    expect(issuer.count('/jwks')).toBe(1);
    expect(issuer.count('/.well-known/oauth-authorization-server')).toBe(0);
  });

  it('picks up a newly published kid once the cooldown has passed, without waiting for the cache to expire', async () => {
    const resolve = resolver({ jwksUri: `${issuer.url}/jwks` });
    await resolve({ kid: 'k1', alg: 'RS256' });
    issuer.keys = [k1.jwk, k2.jwk];
    await sleep(350);
    const key = await resolve({ kid: 'k2', alg: 'RS256' });
    expect(exportJwk(key)).toEqual(k2.publicKey.export({ format: 'jwk' }));
    expect(issuer.count('/jwks')).toBe(2);
    await expect(resolve({ kid: 'k1', alg: 'RS256' })).resolves.toBeDefined();
  });

  it('fails with "signing keys unavailable" while the JWKS is down, asking at most once per cooldown, and recovers', async () => {
    const resolve = resolver({ jwksUri: `${issuer.url}/jwks` });
    issuer.down = true;
    for (let i = 0; i < 20; i++) {
      await expect(resolve({ kid: 'k1', alg: 'RS256' })).rejects.toThrow(
        'signing keys unavailable',
      );
    }
    // A failed fetch is cooled down like a successful one: an issuer that is down is not hammered,
    // and the log says so once per fetch, not once per request.
    expect(issuer.count('/jwks')).toBe(1);
    expect(warnings).toHaveBeenCalledTimes(1);

    issuer.down = false;
    await sleep(350);
    await expect(resolve({ kid: 'k1', alg: 'RS256' })).resolves.toBeDefined();
    expect(issuer.count('/jwks')).toBe(2);
  });

  it('keeps serving cached keys while the issuer is down, and asks about unknown kids at most once per cooldown', async () => {
    const resolve = resolver({ jwksUri: `${issuer.url}/jwks` });
    await resolve({ kid: 'k1', alg: 'RS256' });
    issuer.down = true;
    await sleep(350);
    // Past the cooldown of the successful fetch: one unknown kid may ask, and that fetch fails.
    await expect(resolve({ kid: 'made-up', alg: 'RS256' })).rejects.toThrow(
      'signing keys unavailable',
    );
    for (let i = 0; i < 20; i++) {
      await expect(resolve({ kid: 'k1', alg: 'RS256' })).resolves.toBeDefined();
      await expect(resolve({ kid: `made-up-${i}`, alg: 'RS256' })).resolves.toBeUndefined();
    }
    expect(issuer.count('/jwks')).toBe(2);
  });

  it('drops a key withdrawn from the JWKS once the cache expires, even with a long cooldown', async () => {
    const resolve = resolver({
      jwksUri: `${issuer.url}/jwks`,
      jwks: { cacheMaxAgeSeconds: 0.2, cooldownSeconds: 30 },
    });
    await expect(resolve({ kid: 'k1', alg: 'RS256' })).resolves.toBeDefined();
    issuer.keys = [k2.jwk];
    await sleep(250);
    await expect(resolve({ kid: 'k1', alg: 'RS256' })).resolves.toBeUndefined();
    await expect(resolve({ kid: 'k2', alg: 'RS256' })).resolves.toBeDefined();
    expect(issuer.count('/jwks')).toBe(2);
  });

  it('does not follow a redirect away from the configured JWKS address', async () => {
    const redirector = createServer((_req, res) => {
      res.writeHead(302, { location: `${issuer.url}/jwks` }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const port = (redirector.address() as AddressInfo).port;
      const resolve = resolver({ jwksUri: `http://127.0.0.1:${port}/jwks` });
      await expect(resolve({ kid: 'k1', alg: 'RS256' })).rejects.toThrow(
        'signing keys unavailable',
      );
      expect(issuer.count('/jwks')).toBe(0);
    } finally {
      redirector.closeAllConnections();
      await new Promise((resolve) => redirector.close(resolve));
    }
  });

  it('cools down failed discovery too, and recovers once the issuer answers', async () => {
    const resolve = resolver();
    issuer.down = true;
    for (let i = 0; i < 10; i++) {
      await expect(resolve({ kid: 'k1', alg: 'RS256' })).rejects.toThrow(
        'signing keys unavailable',
      );
    }
    expect(issuer.count('/.well-known/oauth-authorization-server')).toBe(1);
    issuer.down = false;
    await sleep(350);
    await expect(resolve({ kid: 'k1', alg: 'RS256' })).resolves.toBeDefined();
  });

  it('fails (never hangs) when the issuer does not answer within timeoutMs', async () => {
    const silent = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const resolve = remoteJwksResolver({
        issuer: issuer.url,
        audience: 'api',
        jwksUri: `http://127.0.0.1:${port}/jwks`,
        jwks: { timeoutMs: 200 },
      });
      const started = Date.now();
      await expect(resolve({ kid: 'k1', alg: 'RS256' })).rejects.toThrow(
        'signing keys unavailable',
      );
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
  it('reports how long the cooldown after a failure still runs (Retry-After)', async () => {
    const resolve = resolver({
      jwksUri: `${issuer.url}/jwks`,
      jwks: { cooldownSeconds: 30, timeoutMs: 1000 },
    });
    issuer.down = true;
    const first = await resolve({ kid: 'k1', alg: 'RS256' }).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(SigningKeysUnavailableError);
    expect((first as SigningKeysUnavailableError).retryAfterSeconds).toBe(30);
    await sleep(1100);
    const later = await resolve({ kid: 'k1', alg: 'RS256' }).catch((error: unknown) => error);
    expect((later as SigningKeysUnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect((later as SigningKeysUnavailableError).retryAfterSeconds).toBeLessThan(30);
    expect(issuer.count('/jwks')).toBe(1);
  });

  it('never reports less than one second to wait', async () => {
    const resolve = resolver({ jwksUri: `${issuer.url}/jwks`, jwks: { cooldownSeconds: 0 } });
    issuer.down = true;
    const error = await resolve({ kid: 'k1', alg: 'RS256' }).catch((e: unknown) => e);
    expect((error as SigningKeysUnavailableError).retryAfterSeconds).toBe(1);
  });

  describe('https only (RFC 8414 §2, RFC 8725 §3.8), except on loopback hosts', () => {
    it('refuses at construction (module start) a plain-http issuer to discover, or a plain-http jwksUri, on another host', () => {
      expect(() =>
        remoteJwksResolver({ issuer: 'http://id.example.com', audience: 'api' }),
      ).toThrow(/`issuer`.*https.*http:\/\/id\.example\.com/);
      expect(() =>
        remoteJwksResolver({
          issuer: 'https://id.example.com',
          audience: 'api',
          jwksUri: 'http://keys.example.com/jwks',
        }),
      ).toThrow(/`jwksUri`.*https/);
      expect(() => remoteJwksResolver({ issuer: 'ftp://id.example.com', audience: 'api' })).toThrow(
        /https/,
      );
    });

    it('accepts https anywhere, http on loopback hosts, and any http with allowInsecureHttp', () => {
      const ok = (options: Partial<AuthGuardModuleOptions>) => () =>
        remoteJwksResolver({ issuer: 'https://id.example.com', audience: 'api', ...options });
      expect(ok({})).not.toThrow();
      expect(ok({ jwksUri: 'https://keys.example.com/jwks' })).not.toThrow();
      for (const issuerUrl of [
        'http://localhost:3000',
        'http://127.0.0.1:3000',
        'http://127.8.9.10',
        'http://[::1]:3000',
      ])
        expect(ok({ issuer: issuerUrl })).not.toThrow();
      expect(ok({ issuer: 'http://id.example.com', allowInsecureHttp: true })).not.toThrow();
      expect(
        ok({ jwksUri: 'http://keys.example.com/jwks', allowInsecureHttp: true }),
      ).not.toThrow();
      // With a jwksUri the issuer is never fetched, so only the jwksUri is checked.
      expect(
        ok({ issuer: 'http://id.example.com', jwksUri: 'https://keys.example.com/jwks' }),
      ).not.toThrow();
    });

    it('never fetches keys from a plain-http jwks_uri on another host named by the metadata: fails closed, logged, cooled down', async () => {
      issuer.claimedJwksUri = 'http://keys.attacker.test/jwks';
      const fetched: string[] = [];
      const realFetch = globalThis.fetch;
      const spy = jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
        fetched.push(urlOf(input));
        return realFetch(input, init);
      });
      try {
        // A cooldown no stalled event loop outlasts: the five lookups fall within it.
        const resolve = resolver({
          jwks: { cooldownSeconds: 30, cacheMaxAgeSeconds: 60, timeoutMs: 1000 },
        });
        for (let i = 0; i < 5; i++) {
          await expect(resolve({ kid: 'k1', alg: 'RS256' })).rejects.toBeInstanceOf(
            SigningKeysUnavailableError,
          );
        }
        expect(fetched.some((url) => url.includes('attacker'))).toBe(false);
        expect(issuer.count('/.well-known/oauth-authorization-server')).toBe(1);
        expect(warnings).toHaveBeenCalledTimes(1);
        expect(String(warnings.mock.calls[0][0])).toMatch(
          /jwks_uri.*https.*http:\/\/keys\.attacker\.test\/jwks/,
        );
        // Metadata that names a loopback or https jwks_uri again is used (after the
        // cooldown; a new resolver stands for that moment).
        issuer.claimedJwksUri = undefined;
        await expect(resolver()({ kid: 'k1', alg: 'RS256' })).resolves.toBeDefined();
      } finally {
        spy.mockRestore();
      }
    });

    it('fetches from a plain-http jwks_uri on another host only with allowInsecureHttp', async () => {
      issuer.claimedJwksUri = 'http://keys.elsewhere.test/jwks';
      const realFetch = globalThis.fetch;
      const spy = jest
        .spyOn(globalThis, 'fetch')
        .mockImplementation((input, init) =>
          urlOf(input) === 'http://keys.elsewhere.test/jwks'
            ? Promise.resolve(new Response(JSON.stringify({ keys: [k1.jwk] }), { status: 200 }))
            : realFetch(input, init),
        );
      try {
        const resolve = resolver({ allowInsecureHttp: true });
        await expect(resolve({ kid: 'k1', alg: 'RS256' })).resolves.toBeDefined();
        expect(spy).toHaveBeenCalledWith('http://keys.elsewhere.test/jwks', expect.anything());
      } finally {
        spy.mockRestore();
      }
    });
  });
});
