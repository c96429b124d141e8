import { INestApplication, Logger } from '@nestjs/common';
import { AuthGuardModuleOptions } from '@tessera/auth-guard';
import { JSONWebKeySet, JWTPayload, SignJWT } from 'jose';
import { createPublicKey, generateKeyPairSync, JsonWebKey, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, Server } from 'node:http';
import { createSampleApp } from '../apps/sample-service/src/app.factory';
import { KeyRingService } from '../apps/identity-server/src/keys/key-ring.service';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { createClient, createUser } from './support/fixtures';
import { decodeJwt, getJson, HttpResult, tokenRequest } from './support/http';
import { freePort } from './support/server-process';
import { ADMIN, CONSOLE, startServer, TestServer } from './support/test-server';

/** A rotation lead and reload interval short enough to watch a new key take over. */
const SERVER_ENV = { SIGNING_KEY_ROTATION_LEAD_SECONDS: '2', SIGNING_KEY_RELOAD_SECONDS: '1' };
/** The sample service's JWKS cache in these tests: refetch at most once a second. */
const COOLDOWN_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The auth-params of a `WWW-Authenticate: Bearer ...` challenge (RFC 6750 §3). */
function challengeOf(res: HttpResult): Record<string, string> {
  const header = res.headers.get('www-authenticate') ?? '';
  expect(header).toMatch(/^Bearer /);
  return Object.fromEntries(
    [...header.slice('Bearer '.length).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );
}

/** RFC 6750 §3.1: a bad, forged or expired token. */
function expectInvalidToken(res: HttpResult): void {
  expect(res.status).toBe(401);
  expect(challengeOf(res).error).toBe('invalid_token');
}

/**
 * The signing keys cannot be obtained: 503 with Retry-After, never invalid_token
 * (RFC 6750 §3.1), so that clients keep their tokens instead of refreshing.
 */
function expectKeysUnavailable(res: HttpResult): void {
  expect(res.status).toBe(503);
  expect(res.headers.get('www-authenticate')).toBeNull();
  expect(res.body).toEqual({
    statusCode: 503,
    message: 'the signing keys cannot be fetched now; try again later',
    error: 'Service Unavailable',
  });
  // At most the cooldown of these tests (1 s), and at least 1.
  expect(res.headers.get('retry-after')).toBe('1');
}

/** RFC 6750 §3.1: a valid token without what the route needs; `scope` only for scopes. */
function expectInsufficient(res: HttpResult, scope?: string): void {
  expect(res.status).toBe(403);
  const params = challengeOf(res);
  expect(params.error).toBe('insufficient_scope');
  if (scope === undefined) expect(params).not.toHaveProperty('scope');
  else expect(params.scope).toBe(scope);
}

/** A GET over node:http, which sends an array header value as one line per value. */
function getWithAuthorizationLines(url: string, values: string[]): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, (res) => {
      res.resume();
      res.on('end', () => {
        const challenge = res.headers['www-authenticate'];
        resolve({
          status: res.statusCode ?? 0,
          headers: new Headers(challenge ? { 'www-authenticate': challenge } : {}),
          body: {},
        });
      });
    });
    req.setHeader('authorization', values);
    req.on('error', reject);
    req.end();
  });
}

/**
 * Stands between a sample service and the issuer's JWKS: counts the requests,
 * and can answer 503 or stop listening (connections refused) to play an
 * issuer that is down, then listen again on the same port.
 */
class JwksProxy {
  requests = 0;
  failing = false;
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/jwks`;
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    const server = createServer((_req, res) => {
      this.requests++;
      if (this.failing) {
        res.writeHead(503).end();
        return;
      }
      void fetch(this.target).then(
        async (upstream) => {
          res.writeHead(upstream.status, {
            'content-type': upstream.headers.get('content-type') ?? 'application/json',
          });
          res.end(await upstream.text());
        },
        () => res.writeHead(502).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  /** Stops listening: from now on connections to the port are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe.each(DATABASES)('the sample resource service and @tessera/auth-guard on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;
  let sample: INestApplication;
  let sampleUrl: string;
  /** Extra sample services and proxies started by single tests, stopped after the file. */
  const cleanups: Array<() => Promise<void>> = [];

  let adminToken: string;
  let passwordClient: { clientId: string; secret: string };
  let serviceClient: { clientId: string; secret: string };
  let developer: { id: string; username: string; password: string };
  let plainUser: { id: string; username: string; password: string };

  /** A sample service configured as the SPEC's `npm run start:sample` is, with a short JWKS cache. */
  async function startSample(
    guard: Partial<AuthGuardModuleOptions> = {},
  ): Promise<{ app: INestApplication; url: string }> {
    const app = await createSampleApp({
      issuer: server.config.issuer,
      audience: 'tessera',
      jwks: { cooldownSeconds: COOLDOWN_MS / 1000, cacheMaxAgeSeconds: 2 },
      ...guard,
    });
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    return { app, url: `http://127.0.0.1:${port}` };
  }

  /** Calls the sample service with an optional bearer token. */
  async function call(
    path: string,
    token?: string,
    init: { method?: string; body?: unknown; base?: string; scheme?: string } = {},
  ): Promise<HttpResult> {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.authorization = `${init.scheme ?? 'Bearer'} ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${init.base ?? sampleUrl}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { text };
    }
    return { status: response.status, headers: response.headers, body };
  }

  /** An access token for `user` through the password grant (RFC 6749 §4.3). */
  async function passwordToken(
    client: { clientId: string; secret: string },
    user: { username: string; password: string },
    scope?: string,
  ): Promise<string> {
    const res = await tokenRequest(server.url, client, {
      grant_type: 'password',
      username: user.username,
      password: user.password,
      ...(scope ? { scope } : {}),
    });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  async function clientToken(): Promise<string> {
    const res = await tokenRequest(server.url, serviceClient, { grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  async function jwks(): Promise<JSONWebKeySet> {
    const res = await getJson(`${server.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    return res.body as unknown as JSONWebKeySet;
  }

  /** Claims shaped like the admin's real token, with `overrides` applied (undefined removes). */
  function adminClaims(overrides: Record<string, unknown> = {}): JWTPayload {
    const claims: Record<string, unknown> = {
      ...decodeJwt(adminToken).payload,
      iat: now(),
      exp: now() + 300,
      jti: randomUUID(),
    };
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    return claims;
  }

  /**
   * Signs with the identity server's real current private key, taken in-process:
   * only the claim or header under test is wrong, never the signature.
   */
  async function signWithServerKey(
    overrides: Record<string, unknown> = {},
    header: { typ?: string } = {},
  ): Promise<string> {
    const key = await server.get(KeyRingService).signingKey();
    return new SignJWT(adminClaims(overrides))
      .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: 'at+jwt', ...header })
      .sign(key.privateKey);
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url, SERVER_ENV);
    ({ app: sample, url: sampleUrl } = await startSample());

    adminToken = await passwordToken(CONSOLE, ADMIN);
    passwordClient = await createClient(server, { grantTypes: ['password', 'refresh_token'] });
    serviceClient = await createClient(server, {
      grantTypes: ['client_credentials'],
      firstParty: false,
    });
    developer = await createUser(server, { roles: ['developer'] });
    plainUser = await createUser(server);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await sample?.close();
    await server?.close();
    await db?.drop();
  });

  describe('the SPEC routes', () => {
    it('GET /health needs nothing', async () => {
      const res = await call('/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
      expect(res.headers.get('www-authenticate')).toBeNull();
    });

    it('GET /me returns the principal of a user token: subject, client, scopes, roles, permissions', async () => {
      const res = await call('/me', adminToken);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        subject: decodeJwt(adminToken).payload.sub,
        client: CONSOLE.clientId,
        scopes: ['orders:read', 'orders:write'],
        roles: ['admin'],
        permissions: expect.arrayContaining(['users:write', 'clients:review']),
      });

      const devToken = await passwordToken(passwordClient, developer, 'orders:read');
      expect((await call('/me', devToken)).body).toEqual({
        subject: developer.id,
        client: passwordClient.clientId,
        scopes: ['orders:read'],
        roles: ['developer'],
        permissions: ['clients:register'],
      });
    });

    it('GET /me returns a client acting as itself (client credentials): no roles, no permissions', async () => {
      const res = await call('/me', await clientToken());
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        subject: serviceClient.clientId,
        client: serviceClient.clientId,
        scopes: ['orders:read', 'orders:write'],
        roles: [],
        permissions: [],
      });
    });

    it('GET /orders needs orders:read', async () => {
      const reader = await passwordToken(CONSOLE, ADMIN, 'orders:read');
      const res = await call('/orders', reader);
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body.orders)).toBe(true);

      const writerOnly = await passwordToken(CONSOLE, ADMIN, 'orders:write');
      expectInsufficient(await call('/orders', writerOnly), 'orders:read');
    });

    it('POST /orders needs orders:write; a token with only orders:read gets 403 and places nothing', async () => {
      const writer = await passwordToken(passwordClient, plainUser, 'orders:write');
      const placed = await call('/orders', writer, { method: 'POST', body: { item: 'pencils' } });
      expect(placed.status).toBe(201);
      expect(placed.body).toMatchObject({ item: 'pencils', placedBy: plainUser.id });

      const reader = await passwordToken(passwordClient, plainUser, 'orders:read');
      const refused = await call('/orders', reader, { method: 'POST', body: { item: 'refused' } });
      expectInsufficient(refused, 'orders:write');
      expect(refused.body).toMatchObject({ statusCode: 403, error: 'insufficient_scope' });

      const orders = (await call('/orders', reader)).body.orders as Array<{ item: string }>;
      expect(orders.map((order) => order.item)).toContain('pencils');
      expect(orders.map((order) => order.item)).not.toContain('refused');
    });

    it('GET /admin/report needs role admin: developers, users and clients get 403', async () => {
      const ok = await call('/admin/report', adminToken);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ generatedFor: ADMIN.username });

      expectInsufficient(await call('/admin/report', await passwordToken(CONSOLE, developer)));
      expectInsufficient(await call('/admin/report', await passwordToken(CONSOLE, plainUser)));
      expectInsufficient(await call('/admin/report', await clientToken()));
    });
  });

  describe('RFC 6750 errors', () => {
    it('answers no token with 401 and a bare Bearer challenge (§3.1: no error code)', async () => {
      for (const path of ['/me', '/orders', '/admin/report']) {
        const res = await call(path);
        expect(res.status).toBe(401);
        const header = res.headers.get('www-authenticate') ?? '';
        expect(header).toMatch(/^Bearer( |$)/);
        expect(header).not.toContain('error=');
        expect(res.body).toMatchObject({ statusCode: 401 });
      }
    });

    it('answers a malformed token with 401 invalid_token', async () => {
      for (const garbage of ['garbage', 'a.b.c', `${adminToken}x`, adminToken.split('.')[1]]) {
        expectInvalidToken(await call('/me', garbage));
      }
    });

    it('accepts the scheme in lower case (RFC 9110 §11.1)', async () => {
      expect((await call('/me', adminToken, { scheme: 'bearer' })).status).toBe(200);
    });

    it('refuses Bearer credentials that are not `Bearer 1*SP b64token` with 400 invalid_request (§2.1)', async () => {
      for (const trailing of [' garbage', `, ${adminToken}`, ' "x"']) {
        const res = await call('/me', `${adminToken}${trailing}`, { scheme: 'BEARER' });
        expect(res.status).toBe(400);
        expect(challengeOf(res).error).toBe('invalid_request');
      }
    });

    it('refuses two Authorization headers with 400 invalid_request, even when both are valid', async () => {
      for (const second of [`Bearer ${adminToken}`, 'Basic dXNlcjpwYXNz']) {
        const res = await getWithAuthorizationLines(`${sampleUrl}/me`, [
          `Bearer ${adminToken}`,
          second,
        ]);
        expect(res.status).toBe(400);
        expect(challengeOf(res).error).toBe('invalid_request');
      }
      // The control: the same header on one line is served.
      expect(
        (await getWithAuthorizationLines(`${sampleUrl}/me`, [`Bearer ${adminToken}`])).status,
      ).toBe(200);
    });

    it('refuses a token in the query string with 400 invalid_request (§2.3 is off by default)', async () => {
      const alone = await call(`/me?access_token=${adminToken}`);
      expect(alone.status).toBe(400);
      expect(challengeOf(alone).error).toBe('invalid_request');

      const both = await call(`/me?access_token=${adminToken}`, adminToken);
      expect(both.status).toBe(400);
      expect(challengeOf(both).error).toBe('invalid_request');
    });

    it('with allowQueryToken, serves a query token with Cache-Control: private (§2.3)', async () => {
      const lenient = await startSample({ allowQueryToken: true });
      cleanups.push(() => lenient.app.close());
      const res = await call(`/me?access_token=${adminToken}`, undefined, { base: lenient.url });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('private');
      const viaHeader = await call('/me', adminToken, { base: lenient.url });
      expect(viaHeader.status).toBe(200);
      expect(viaHeader.headers.get('cache-control')).toBeNull();
    });
  });

  describe('forged and unacceptable tokens, each 401 invalid_token', () => {
    it('accepts a token signed with the real key when every claim is right (control), and an aud array that holds tessera', async () => {
      expect((await call('/me', await signWithServerKey())).status).toBe(200);
      const multi = await signWithServerKey({ aud: ['another-api', 'tessera'] });
      expect((await call('/me', multi)).status).toBe(200);
    });

    it('refuses alg none (an unsigned token)', async () => {
      const { header } = decodeJwt(adminToken);
      const unsigned = `${b64url({ ...header, alg: 'none' })}.${b64url(adminClaims())}.`;
      expectInvalidToken(await call('/me', unsigned));
    });

    it('refuses HS256 signed with the server public key as the HMAC secret', async () => {
      const [jwk] = (await jwks()).keys;
      const publicKey = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      const secrets = [
        Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })),
        publicKey.export({ type: 'spki', format: 'der' }),
        Buffer.from(publicKey.export({ type: 'pkcs1', format: 'pem' })),
      ];
      for (const secret of secrets) {
        const forged = await new SignJWT(adminClaims())
          .setProtectedHeader({ alg: 'HS256', kid: jwk.kid, typ: 'at+jwt' })
          .sign(secret);
        expectInvalidToken(await call('/me', forged));
      }
    });

    it('refuses a token signed by a foreign RSA key that carries a real kid', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      for (const { kid } of (await jwks()).keys) {
        const forged = await new SignJWT(adminClaims())
          .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
          .sign(privateKey);
        expectInvalidToken(await call('/me', forged));
      }
    });

    it('refuses a real token whose payload was changed (scope or sub), signature kept', async () => {
      const reader = await passwordToken(passwordClient, plainUser, 'orders:read');
      const [header, payload, signature] = reader.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JWTPayload;
      const widened = `${header}.${b64url({ ...claims, scope: 'orders:read orders:write' })}.${signature}`;
      const res = await call('/orders', widened, { method: 'POST', body: { item: 'tampered' } });
      expectInvalidToken(res);

      const impostor = `${header}.${b64url({ ...claims, sub: developer.id })}.${signature}`;
      expectInvalidToken(await call('/me', impostor));
      // The untouched token still works: only the change was refused.
      expect((await call('/orders', reader)).status).toBe(200);
    });

    it('refuses an expired token (beyond the clock tolerance)', async () => {
      const expired = await signWithServerKey({ iat: now() - 1000, exp: now() - 120 });
      const res = await call('/me', expired);
      expectInvalidToken(res);
      expect(challengeOf(res).error_description).toBe('the access token expired');
    });

    it('refuses a token that is not valid yet (nbf in the future)', async () => {
      expectInvalidToken(await call('/me', await signWithServerKey({ nbf: now() + 120 })));
    });

    it('refuses a wrong typ (RFC 9068 §4: at+jwt only), such as a plain JWT', async () => {
      expectInvalidToken(await call('/me', await signWithServerKey({}, { typ: 'JWT' })));
    });

    it('refuses another audience and another issuer', async () => {
      expectInvalidToken(await call('/me', await signWithServerKey({ aud: 'another-api' })));
      expectInvalidToken(await call('/me', await signWithServerKey({ aud: ['a', 'b'] })));
      expectInvalidToken(
        await call('/me', await signWithServerKey({ iss: 'http://evil.example' })),
      );
    });

    it('refuses an at+jwt token without client_id', async () => {
      expectInvalidToken(await call('/me', await signWithServerKey({ client_id: undefined })));
    });

    it('requires iat (RFC 9068 §2.2), which Tessera always issues, and refuses one in the future', async () => {
      expect(typeof decodeJwt(adminToken).payload.iat).toBe('number');
      expect(typeof decodeJwt(await clientToken()).payload.iat).toBe('number');
      expectInvalidToken(await call('/me', await signWithServerKey({ iat: undefined })));
      expectInvalidToken(await call('/me', await signWithServerKey({ iat: now() + 120 })));
    });

    it('refuses a token with a crit header (RFC 7515 §4.1.11: the guard supports no extension)', async () => {
      const key = await server.get(KeyRingService).signingKey();
      const critical = await new SignJWT(adminClaims())
        .setProtectedHeader({
          alg: key.algorithm,
          kid: key.kid,
          typ: 'at+jwt',
          crit: ['urn:example:ext'],
          'urn:example:ext': true,
        })
        .sign(key.privateKey, { crit: { 'urn:example:ext': true } });
      expectInvalidToken(await call('/me', critical));
    });
  });

  describe('the JWKS as a resource server sees it', () => {
    /** A sample service whose JWKS requests go through `proxy`. */
    async function sampleBehind(
      proxy: JwksProxy,
      jwksOptions: AuthGuardModuleOptions['jwks'] = {},
    ): Promise<string> {
      const started = await startSample({
        jwksUri: proxy.url,
        jwks: { cooldownSeconds: COOLDOWN_MS / 1000, cacheMaxAgeSeconds: 2, ...jwksOptions },
      });
      cleanups.push(() => started.app.close());
      return started.url;
    }

    async function startProxy(): Promise<JwksProxy> {
      const proxy = new JwksProxy(`${server.url}/.well-known/jwks.json`);
      await proxy.start();
      cleanups.push(() => proxy.stop());
      return proxy;
    }

    it('follows a key rotation without a restart: new-kid tokens accepted, old-kid tokens still accepted', async () => {
      // A second service with a cache that would not expire during the test: only the
      // unknown-kid refetch can bring it the new key.
      const proxy = await startProxy();
      const longCache = await sampleBehind(proxy, { cacheMaxAgeSeconds: 300 });

      const oldToken = await passwordToken(CONSOLE, ADMIN);
      const oldKid = decodeJwt(oldToken).header.kid;
      expect((await call('/me', oldToken)).status).toBe(200);
      expect((await call('/me', oldToken, { base: longCache })).status).toBe(200);
      expect(proxy.requests).toBe(1);

      const next = await server.get(KeyRingService).rotate();
      expect(next.kid).not.toBe(oldKid);
      await sleep(Math.max(0, next.activatesAt.getTime() - Date.now()) + 200);

      const newToken = await passwordToken(CONSOLE, ADMIN);
      expect(decodeJwt(newToken).header.kid).toBe(next.kid);
      for (const base of [sampleUrl, longCache]) {
        expect((await call('/me', newToken, { base })).status).toBe(200);
        expect((await call('/me', oldToken, { base })).status).toBe(200);
      }
      // The long-cache service fetched once more, for the kid it did not know.
      expect(proxy.requests).toBe(2);
    });

    it('costs the issuer at most one JWKS request per cooldown under a flood of made-up kids', async () => {
      const proxy = await startProxy();
      const url = await sampleBehind(proxy);
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const forged = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          new SignJWT(adminClaims())
            .setProtectedHeader({
              alg: 'RS256',
              kid: `made-up-${i}-${randomUUID()}`,
              typ: 'at+jwt',
            })
            .sign(privateKey),
        ),
      );
      const started = Date.now();
      const answers = await Promise.all(forged.map((token) => call('/me', token, { base: url })));
      const elapsed = Date.now() - started;
      for (const res of answers) expectInvalidToken(res);
      // One initial fetch, plus at most one per cooldown that passed during the flood.
      expect(proxy.requests).toBeGreaterThanOrEqual(1);
      expect(proxy.requests).toBeLessThanOrEqual(1 + Math.floor(elapsed / COOLDOWN_MS));
      expect(proxy.requests).toBeLessThanOrEqual(2);

      // The real keys were cached all along: a valid token costs nothing more.
      const before = proxy.requests;
      expect((await call('/me', adminToken, { base: url })).status).toBe(200);
      expect(proxy.requests).toBe(before);
    });

    it('answers 503 with Retry-After (not 401 invalid_token, not 500) while the issuer is unreachable, keeps serving /health, and recovers', async () => {
      const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        const proxy = await startProxy();
        const url = await sampleBehind(proxy);
        await proxy.stop();
        const token = await passwordToken(CONSOLE, ADMIN);

        // Connections refused, no key cached.
        for (let i = 0; i < 5; i++) expectKeysUnavailable(await call('/me', token, { base: url }));
        const health = await call('/health', undefined, { base: url });
        expect(health.status).toBe(200);

        // Back, but failing with 503: still 503, and asked at most once per cooldown.
        proxy.failing = true;
        await proxy.start();
        await sleep(COOLDOWN_MS + 100);
        const failingStarted = Date.now();
        for (let i = 0; i < 10; i++) expectKeysUnavailable(await call('/me', token, { base: url }));
        expect(proxy.requests).toBeLessThanOrEqual(
          1 + Math.floor((Date.now() - failingStarted) / COOLDOWN_MS),
        );

        // Healthy again: after the cooldown, valid tokens are served.
        proxy.failing = false;
        await sleep(COOLDOWN_MS + 100);
        expect((await call('/me', token, { base: url })).status).toBe(200);
        expect((await call('/orders', token, { base: url })).status).toBe(200);
        // Operators are told, without the token.
        const logged = warnings.mock.calls.map((args) => String(args[0]));
        expect(logged.some((line) => line.includes('cannot fetch the signing keys'))).toBe(true);
        for (const line of logged) expect(line).not.toContain(token);
      } finally {
        warnings.mockRestore();
      }
    });
  });

  describe('keys only over https, except on loopback hosts (RFC 8414 §2, RFC 8725 §3.8)', () => {
    it('refuses to start with a plain-http issuer on another host, unless allowInsecureHttp', async () => {
      const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        await expect(startSample({ issuer: 'http://id.example.com' })).rejects.toThrow(
          /`issuer`.*must be an https URL/,
        );
      } finally {
        errors.mockRestore();
      }
      const insecure = await startSample({
        issuer: 'http://id.example.com',
        allowInsecureHttp: true,
      });
      await insecure.app.close();
    });

    it('never fetches keys from a plain-http jwks_uri on another host named by the metadata: 503, logged', async () => {
      // A stand-in issuer on loopback whose metadata points the keys elsewhere, over http.
      const attackerJwks = 'http://keys.attacker.example/jwks';
      const port = await freePort();
      const standInUrl = `http://127.0.0.1:${port}`;
      const standIn = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: standInUrl, jwks_uri: attackerJwks }));
      });
      await new Promise<void>((resolve) => standIn.listen(port, '127.0.0.1', resolve));
      cleanups.push(async () => {
        standIn.closeAllConnections();
        await new Promise((resolve) => standIn.close(resolve));
      });
      const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const fetchSpy = jest.spyOn(globalThis, 'fetch');
      try {
        const started = await startSample({ issuer: standInUrl });
        cleanups.push(() => started.app.close());
        for (let i = 0; i < 3; i++)
          expectKeysUnavailable(await call('/me', adminToken, { base: started.url }));
        const fetched = fetchSpy.mock.calls.map(([input]) =>
          typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
        );
        expect(fetched.some((url) => url.startsWith(attackerJwks))).toBe(false);
        const logged = warnings.mock.calls.map((args) => String(args[0]));
        expect(
          logged.some((line) =>
            line.includes(`jwks_uri\` must be an https URL (got ${attackerJwks})`),
          ),
        ).toBe(true);
      } finally {
        fetchSpy.mockRestore();
        warnings.mockRestore();
      }
    });
  });
});
