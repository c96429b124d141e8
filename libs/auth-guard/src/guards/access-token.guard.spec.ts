import { Controller, Get, INestApplication, Post, Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Test } from '@nestjs/testing';
import { JWTPayload, SignJWT } from 'jose';
import { generateKeyPairSync, KeyObject, randomUUID, sign as signBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import type { App } from 'supertest/types';
import { AuthGuardModule } from '../auth-guard.module';
import { AuthGuardModuleOptions, TokenIntrospector } from '../auth-guard.options';
import { CurrentPrincipal } from '../decorators/current-principal.decorator';
import { Public } from '../decorators/public.decorator';
import { RequireActiveToken } from '../decorators/require-active-token.decorator';
import {
  RequireAnyPermission,
  RequireAnyRole,
  RequireAnyScope,
  RequirePermissions,
  RequireRoles,
  RequireScopes,
} from '../decorators/requirements.decorator';
import { Principal } from '../principal';
import { AccessTokenGuard } from './access-token.guard';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'orders-api';
const REALM = 'unit';
const KID = 'unit-key-1';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
const EC_KID = 'unit-key-ec';
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** Stands in for the JWKS: only KID (RSA) and EC_KID (P-256) are known. */
const keyResolver = async ({ kid }: { kid?: string }): Promise<KeyObject | undefined> =>
  kid === KID ? publicKey : kid === EC_KID ? ec.publicKey : undefined;

const now = () => Math.floor(Date.now() / 1000);

/** The claims Tessera issues to a user (RFC 9068 §2.2), with `overrides` applied (undefined removes). */
function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const base: Record<string, unknown> = {
    iss: ISSUER,
    sub: 'user-1',
    aud: AUDIENCE,
    iat: now(),
    exp: now() + 300,
    jti: randomUUID(),
    client_id: 'app-1',
    scope: 'read write',
    username: 'alice',
    roles: ['developer'],
    permissions: ['clients:register'],
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

async function sign(
  overrides: Record<string, unknown> = {},
  header: { alg?: string; kid?: string; typ?: string } = {},
  key: KeyObject | Uint8Array = privateKey,
): Promise<string> {
  return new SignJWT(claims(overrides))
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'at+jwt', ...header })
    .sign(key);
}

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** RS256 over any protected header, including ones jose refuses to produce. */
function signRaw(header: object, payload: object = claims()): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${signBytes('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

@Controller()
class OpenController {
  @Public()
  @Get('open')
  open(): { ok: true } {
    return { ok: true };
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal): Omit<Principal, 'claims'> & { jti: unknown } {
    const { claims: raw, ...rest } = principal;
    return { ...rest, jti: raw.jti };
  }
}

@Public()
@Controller('public-class')
class PublicClassController {
  @Get()
  open(): { ok: true } {
    return { ok: true };
  }
}

@Controller('scoped')
@RequireScopes('read')
class ScopedController {
  @Get()
  read(): { ok: true } {
    return { ok: true };
  }

  @Post()
  @RequireScopes('write')
  write(): { ok: true } {
    return { ok: true };
  }

  @Get('all')
  @RequireScopes('read', 'admin')
  all(): { ok: true } {
    return { ok: true };
  }

  @Get('any')
  @RequireAnyScope('admin', 'write')
  any(): { ok: true } {
    return { ok: true };
  }
}

@Controller('roles')
class RolesController {
  @Get('all')
  @RequireRoles('developer', 'admin')
  all(): { ok: true } {
    return { ok: true };
  }

  @Get('any')
  @RequireAnyRole('admin', 'developer')
  any(): { ok: true } {
    return { ok: true };
  }

  @Get('permissions/all')
  @RequirePermissions('clients:register', 'clients:review')
  allPermissions(): { ok: true } {
    return { ok: true };
  }

  @Get('permissions/any')
  @RequireAnyPermission('clients:review', 'clients:register')
  anyPermission(): { ok: true } {
    return { ok: true };
  }

  @Get('stacked')
  @RequireRoles('developer')
  @RequirePermissions('clients:review')
  stacked(): { ok: true } {
    return { ok: true };
  }
}

@Controller('sensitive')
class SensitiveController {
  @Get()
  @RequireActiveToken()
  read(): { ok: true } {
    return { ok: true };
  }
}

/** A public controller whose handler also asks for things: a configuration error. */
@Public()
@Controller('misconfigured/class')
class PublicClassWithRequirementsController {
  @Get()
  @RequireScopes('a')
  @RequireRoles('admin')
  guarded(): { ok: true } {
    return { ok: true };
  }
}

/** A public handler under class-level requirements: a configuration error as well. */
@RequireActiveToken()
@RequirePermissions('orders:read')
@Controller('misconfigured/method')
class PublicMethodUnderRequirementsController {
  @Public()
  @Get()
  opened(): { ok: true } {
    return { ok: true };
  }
}

const CONTROLLERS = [
  OpenController,
  PublicClassController,
  ScopedController,
  RolesController,
  SensitiveController,
];

async function buildApp(
  options: Partial<AuthGuardModuleOptions> = {},
  controllers: Type[] = CONTROLLERS,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AuthGuardModule.forRoot({
        issuer: ISSUER,
        audience: AUDIENCE,
        realm: REALM,
        keyResolver,
        ...options,
      }),
    ],
    controllers,
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

/** The Node server under a Nest app, typed for supertest. */
const httpOf = (app: INestApplication): App => app.getHttpServer() as App;

/** The auth-params of a `WWW-Authenticate: Bearer ...` challenge (RFC 6750 §3). */
function challenge(res: request.Response): Record<string, string> {
  const header = res.headers['www-authenticate'] as string | undefined;
  expect(header).toMatch(/^Bearer /);
  return Object.fromEntries(
    [...(header ?? '').slice('Bearer '.length).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [
      m[1],
      m[2],
    ]),
  );
}

function expectInvalidToken(res: request.Response): void {
  expect(res.status).toBe(401);
  expect(challenge(res)).toMatchObject({ realm: REALM, error: 'invalid_token' });
  expect(res.body).toMatchObject({ statusCode: 401, error: 'invalid_token' });
}

function expectInsufficient(res: request.Response, scope?: string): void {
  expect(res.status).toBe(403);
  const params = challenge(res);
  expect(params).toMatchObject({ realm: REALM, error: 'insufficient_scope' });
  // RFC 6750 §3: `scope` names the scopes needed; roles and permissions are not scopes.
  if (scope === undefined) expect(params).not.toHaveProperty('scope');
  else expect(params.scope).toBe(scope);
}

describe('AccessTokenGuard (RFC 6750) and the requirement decorators', () => {
  let app: INestApplication;
  const get = (path: string, token?: string) => {
    const req = request(httpOf(app)).get(path);
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };

  beforeAll(async () => {
    app = await buildApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('who may call', () => {
    it('lets anyone call a @Public() route or controller, with or without a token', async () => {
      expect((await get('/open')).status).toBe(200);
      expect((await get('/public-class')).status).toBe(200);
      expect((await get('/open', 'garbage')).status).toBe(200);
      // Deny by default: the same app refuses an undecorated route.
      expect((await get('/me')).status).toBe(401);
    });

    it('answers a request without a token with 401 and a bare Bearer challenge (§3.1: no error code)', async () => {
      const res = await get('/me');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="${REALM}"`);
      expect(res.body).toMatchObject({ statusCode: 401 });
      expect(res.body).not.toHaveProperty('error');
    });

    it('treats an Authorization header of another scheme as no bearer token', async () => {
      const res = await request(httpOf(app)).get('/me').set('Authorization', 'Basic dXNlcjpwYXNz');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="${REALM}"`);
    });

    it('refuses empty Bearer credentials as invalid_request (400)', async () => {
      const res = await request(httpOf(app)).get('/me').set('Authorization', 'Bearer ');
      expect(res.status).toBe(400);
      expect(challenge(res)).toMatchObject({ realm: REALM, error: 'invalid_request' });
    });

    it('accepts the scheme in any case (RFC 9110 §11.1: auth schemes are case-insensitive)', async () => {
      const token = await sign();
      for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
        const res = await request(httpOf(app))
          .get('/me')
          .set('Authorization', `${scheme} ${token}`);
        expect(res.status).toBe(200);
      }
    });

    it('refuses Bearer credentials that are not `Bearer 1*SP b64token` (RFC 6750 §2.1) with 400 invalid_request', async () => {
      const token = await sign();
      for (const header of [
        `BEARER ${token} garbage`,
        `Bearer ${token} ${token}`,
        `Bearer\t${token}`,
        `Bearer ${token},`,
        `Bearer ${token}=x`,
        `bearer "${token}"`,
      ]) {
        const res = await request(httpOf(app)).get('/me').set('Authorization', header);
        expect(res.status).toBe(400);
        expect(challenge(res)).toMatchObject({ realm: REALM, error: 'invalid_request' });
        expect(res.body).toMatchObject({ statusCode: 400, error: 'invalid_request' });
      }
      // One or more spaces are allowed, and b64token may end with padding.
      const spaced = await request(httpOf(app))
        .get('/me')
        .set('Authorization', `Bearer   ${token}`);
      expect(spaced.status).toBe(200);
      expectInvalidToken(await get('/me', 'abc+/_~-.=='));
    });

    it('refuses more than one Authorization header with 400 invalid_request', async () => {
      const token = await sign();
      for (const second of [`Bearer ${token}`, 'Basic dXNlcjpwYXNz', `Bearer ${await sign()}`]) {
        const res = await request(httpOf(app))
          .get('/me')
          // An array is sent as one header line per value.
          .set({ Authorization: [`Bearer ${token}`, second] });
        expect(res.status).toBe(400);
        expect(challenge(res)).toMatchObject({ realm: REALM, error: 'invalid_request' });
      }
    });

    it('refuses ?access_token= by default with 400 invalid_request, even next to a valid header', async () => {
      const token = await sign();
      const alone = await request(httpOf(app)).get('/me').query({ access_token: token });
      expect(alone.status).toBe(400);
      expect(challenge(alone)).toMatchObject({ realm: REALM, error: 'invalid_request' });
      expect(alone.body).toMatchObject({ statusCode: 400, error: 'invalid_request' });

      const both = await get('/me', token).query({ access_token: token });
      expect(both.status).toBe(400);
      expect(challenge(both).error).toBe('invalid_request');
    });
  });

  describe('which tokens are valid', () => {
    it('accepts a well-formed token and exposes it through @CurrentPrincipal()', async () => {
      const exp = now() + 120;
      const jti = randomUUID();
      const res = await get('/me', await sign({ exp, jti }));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        subject: 'user-1',
        clientId: 'app-1',
        isClient: false,
        username: 'alice',
        scopes: ['read', 'write'],
        roles: ['developer'],
        permissions: ['clients:register'],
        tokenId: jti,
        expiresAt: new Date(exp * 1000).toISOString(),
        jti,
      });
    });

    it('marks a client acting as itself (client credentials: sub = client_id, no user claims)', async () => {
      const token = await sign({
        sub: 'svc-1',
        client_id: 'svc-1',
        username: undefined,
        roles: undefined,
        permissions: undefined,
      });
      const res = await get('/me', token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        subject: 'svc-1',
        clientId: 'svc-1',
        isClient: true,
        roles: [],
        permissions: [],
      });
    });

    it('accepts an aud array that contains this audience (RFC 7519 §4.1.3), and refuses one that does not', async () => {
      expect((await get('/me', await sign({ aud: ['other', AUDIENCE] }))).status).toBe(200);
      expectInvalidToken(await get('/me', await sign({ aud: ['other', 'another'] })));
      expectInvalidToken(await get('/me', await sign({ aud: [] })));
      expectInvalidToken(await get('/me', await sign({ aud: undefined })));
    });

    it('verifies ES256 with a P-256 key, and refuses a header that names another algorithm for that key', async () => {
      const es256 = await sign({}, { alg: 'ES256', kid: EC_KID }, ec.privateKey);
      expect((await get('/me', es256)).status).toBe(200);
      // The RSA key's signature presented under the EC key's kid: the key decides, not the header.
      expectInvalidToken(await get('/me', await sign({}, { kid: EC_KID })));
      // An algorithm outside the configured list is refused even with a matching key.
      expectInvalidToken(await get('/me', await sign({}, { alg: 'PS256' })));
    });

    it('refuses malformed tokens with 401 invalid_token', async () => {
      for (const garbage of [
        'garbage',
        'a.b.c',
        'eyJhbGciOiJSUzI1NiJ9..',
        '....',
        'bnVsbA.e30.c2ln',
      ]) {
        expectInvalidToken(await get('/me', garbage));
      }
    });

    it('refuses an unsigned token (alg none, RFC 8725 §3.1)', async () => {
      const unsigned = `${b64url({ alg: 'none', kid: KID, typ: 'at+jwt' })}.${b64url(claims())}.`;
      expectInvalidToken(await get('/me', unsigned));
    });

    it('refuses HS256 signed with the public key as the secret (algorithm confusion, RFC 8725 §2.1)', async () => {
      const pem = publicKey.export({ type: 'spki', format: 'pem' });
      const der = publicKey.export({ type: 'spki', format: 'der' });
      for (const secret of [Buffer.from(pem), der]) {
        expectInvalidToken(await get('/me', await sign({}, { alg: 'HS256' }, secret)));
      }
    });

    it('refuses a token signed by another key, with the right kid or an unknown one', async () => {
      expectInvalidToken(await get('/me', await sign({}, {}, foreign.privateKey)));
      expectInvalidToken(await get('/me', await sign({}, { kid: 'made-up' })));
      expectInvalidToken(await get('/me', await sign({}, { kid: undefined })));
    });

    it('refuses a token whose payload was changed after signing', async () => {
      const [header, , signature] = (await sign()).split('.');
      const widened = `${header}.${b64url(claims({ scope: 'read write admin' }))}.${signature}`;
      expectInvalidToken(await get('/me', widened));
    });

    it('refuses an expired token beyond the clock tolerance, and accepts one within it', async () => {
      const expired = await get('/me', await sign({ exp: now() - 60, iat: now() - 400 }));
      expectInvalidToken(expired);
      expect(challenge(expired).error_description).toBe('the access token expired');
      // Default tolerance 30 s.
      expect((await get('/me', await sign({ exp: now() - 10 }))).status).toBe(200);
    });

    it('refuses a token that is not valid yet (nbf)', async () => {
      const res = await get('/me', await sign({ nbf: now() + 120 }));
      expectInvalidToken(res);
      expect(challenge(res).error_description).toBe('the access token is not valid yet');
    });

    it('refuses another issuer and another audience', async () => {
      expectInvalidToken(await get('/me', await sign({ iss: 'https://evil.test' })));
      expectInvalidToken(await get('/me', await sign({ iss: `${ISSUER}/` })));
      expectInvalidToken(await get('/me', await sign({ aud: 'other-api' })));
    });

    it('refuses a token whose typ is not at+jwt (RFC 9068 §4), such as an ID token', async () => {
      expectInvalidToken(await get('/me', await sign({}, { typ: 'JWT' })));
      expectInvalidToken(await get('/me', await sign({}, { typ: undefined })));
      expect((await get('/me', await sign({}, { typ: 'application/at+jwt' }))).status).toBe(200);
    });

    it('refuses an at+jwt token without the claims Tessera always issues', async () => {
      for (const missing of ['client_id', 'sub', 'jti', 'exp', 'iat']) {
        expectInvalidToken(await get('/me', await sign({ [missing]: undefined })));
      }
    });
    it('requires a numeric iat (RFC 9068 §2.2) no later than now plus the clock tolerance', async () => {
      expectInvalidToken(await get('/me', await sign({ iat: String(now()) })));
      expectInvalidToken(await get('/me', await sign({ iat: now() + 120 })));
      // Default tolerance 30 s.
      expect((await get('/me', await sign({ iat: now() + 10 }))).status).toBe(200);
    });

    it('refuses a token whose protected header has crit (RFC 7515 §4.1.11: no extension is supported)', async () => {
      const header = { alg: 'RS256', kid: KID, typ: 'at+jwt' };
      expect((await get('/me', signRaw(header))).status).toBe(200);
      for (const crit of [['exp'], ['urn:example:ext'], [], 'exp', null]) {
        const token = signRaw({ ...header, crit, 'urn:example:ext': true });
        expectInvalidToken(await get('/me', token));
      }
    });
  });

  describe('what the token must carry', () => {
    const withScopes = (scope: string) => sign({ scope });

    it('enforces class-level and method-level scopes together', async () => {
      const post = async (scope: string) =>
        request(httpOf(app))
          .post('/scoped')
          .set('Authorization', `Bearer ${await withScopes(scope)}`);
      expect((await get('/scoped', await withScopes('read'))).status).toBe(200);
      expect((await post('read write')).status).toBe(201);
      // The method's own scope is missing.
      expectInsufficient(await post('read'), 'write');
      // The class-level scope is missing, though the method's is there.
      expectInsufficient(await post('write'), 'read');
    });

    it('RequireScopes needs all of them; RequireAnyScope one of them', async () => {
      expectInsufficient(await get('/scoped/all', await withScopes('read')), 'read admin');
      expect((await get('/scoped/all', await withScopes('read admin'))).status).toBe(200);

      expect((await get('/scoped/any', await withScopes('read write'))).status).toBe(200);
      expect((await get('/scoped/any', await withScopes('read admin'))).status).toBe(200);
      expectInsufficient(await get('/scoped/any', await withScopes('read')), 'admin write');
    });

    it('matches scopes exactly, never by prefix or substring', async () => {
      expectInsufficient(await get('/scoped', await withScopes('reader read:all')), 'read');
    });

    it('RequireRoles needs all roles; RequireAnyRole one of them (403 without a scope parameter)', async () => {
      const developer = await sign({ roles: ['developer'] });
      const both = await sign({ roles: ['developer', 'admin'] });
      expectInsufficient(await get('/roles/all', developer));
      expect((await get('/roles/all', both)).status).toBe(200);
      expect((await get('/roles/any', developer)).status).toBe(200);
      expectInsufficient(await get('/roles/any', await sign({ roles: ['user'] })));
      expectInsufficient(await get('/roles/any', await sign({ roles: undefined })));
    });

    it('RequirePermissions needs all permissions; RequireAnyPermission one of them', async () => {
      const one = await sign({ permissions: ['clients:register'] });
      const two = await sign({ permissions: ['clients:register', 'clients:review'] });
      expectInsufficient(await get('/roles/permissions/all', one));
      expect((await get('/roles/permissions/all', two)).status).toBe(200);
      expect((await get('/roles/permissions/any', one)).status).toBe(200);
      expectInsufficient(await get('/roles/permissions/any', await sign({ permissions: [] })));
    });

    it('enforces several decorators on one handler together', async () => {
      const roleOnly = await sign({ roles: ['developer'], permissions: [] });
      const permissionOnly = await sign({ roles: [], permissions: ['clients:review'] });
      const both = await sign({ roles: ['developer'], permissions: ['clients:review'] });
      expectInsufficient(await get('/roles/stacked', roleOnly));
      expectInsufficient(await get('/roles/stacked', permissionOnly));
      expect((await get('/roles/stacked', both)).status).toBe(200);
    });

    it('does not take roles from a scope or scopes from a role', async () => {
      expectInsufficient(
        await get('/roles/any', await sign({ scope: 'admin developer', roles: [] })),
      );
      expectInsufficient(await get('/scoped', await sign({ scope: '', roles: ['read'] })), 'read');
    });
  });

  describe('signing keys that cannot be obtained (a server-side failure, not an invalid token)', () => {
    /** A JWKS at 127.0.0.1 holding KID only, that answers 503 while `down`. */
    const jwks = { down: false, requests: 0, url: '' };
    let jwksServer: Server;
    beforeAll(async () => {
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
      jwksServer = createServer((_req, res) => {
        jwks.requests++;
        if (jwks.down) res.writeHead(503).end();
        else
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
      jwks.url = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
    });
    afterAll(async () => {
      jwksServer.closeAllConnections();
      await new Promise((resolve) => jwksServer.close(resolve));
    });
    beforeEach(() => {
      jwks.down = false;
      jwks.requests = 0;
    });

    function expectKeysUnavailable(res: request.Response): void {
      expect(res.status).toBe(503);
      // RFC 6750 §3.1: invalid_token would make clients drop a good token and refresh.
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(res.body).toEqual({
        statusCode: 503,
        message: 'the signing keys cannot be fetched now; try again later',
        error: 'Service Unavailable',
      });
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }

    it('answers 503 with Retry-After when the key resolver throws, cached token or not; never 401 or 500', async () => {
      let failing = false;
      const down = await buildApp({
        keyResolver: async (lookup) => {
          if (failing) throw new Error('database unreachable');
          return keyResolver(lookup);
        },
      });
      try {
        const remembered = await sign();
        const me = (token: string) =>
          request(httpOf(down)).get('/me').set('Authorization', `Bearer ${token}`);
        expect((await me(remembered)).status).toBe(200);
        failing = true;
        for (const token of [remembered, await sign()]) {
          const res = await me(token);
          expectKeysUnavailable(res);
          expect(res.headers['retry-after']).toBe('1');
        }
        expect((await request(httpOf(down)).get('/open')).status).toBe(200);
      } finally {
        await down.close();
      }
    });

    it('answers 503 with Retry-After until the cooldown after a failed JWKS fetch ends', async () => {
      const app = await buildApp({
        keyResolver: undefined,
        jwksUri: jwks.url,
        jwks: { cooldownSeconds: 30 },
      });
      try {
        jwks.down = true;
        const token = await sign();
        const first = await request(httpOf(app)).get('/me').set('Authorization', `Bearer ${token}`);
        expectKeysUnavailable(first);
        expect(first.headers['retry-after']).toBe('30');
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const second = await request(httpOf(app))
          .get('/me')
          .set('Authorization', `Bearer ${token}`);
        expectKeysUnavailable(second);
        expect(Number(second.headers['retry-after'])).toBeLessThan(30);
        expect(jwks.requests).toBe(1);
      } finally {
        await app.close();
      }
    });

    it('still answers 401 invalid_token for a kid that a successfully fetched JWKS does not hold', async () => {
      const app = await buildApp({ keyResolver: undefined, jwksUri: jwks.url });
      try {
        const me = (token: string) =>
          request(httpOf(app)).get('/me').set('Authorization', `Bearer ${token}`);
        expect((await me(await sign())).status).toBe(200);
        expectInvalidToken(await me(await sign({}, { kid: 'not-published' })));
      } finally {
        await app.close();
      }
    });
  });

  describe('https only for fetched keys (RFC 8414 §2, RFC 8725 §3.8), except on loopback hosts', () => {
    it('refuses to start when it would discover a plain-http issuer, or fetch a plain-http jwksUri, on another host', async () => {
      await expect(
        buildApp({ keyResolver: undefined, issuer: 'http://issuer.test' }),
      ).rejects.toThrow(/`issuer`.*must be an https URL/);
      await expect(
        buildApp({ keyResolver: undefined, jwksUri: 'http://keys.test/jwks' }),
      ).rejects.toThrow(/`jwksUri` must be an https URL/);
      // Introspection discovers its endpoint from the same metadata.
      await expect(
        buildApp({
          issuer: 'http://issuer.test',
          introspection: { clientId: 'orders', clientSecret: 'secret' },
        }),
      ).rejects.toThrow(/`issuer`.*must be an https URL/);
      // A given introspection endpoint receives the client secret: the same rule.
      await expect(
        buildApp({
          issuer: 'https://issuer.test',
          introspection: {
            endpoint: 'http://issuer.test/oauth/introspect',
            clientId: 'orders',
            clientSecret: 'secret',
          },
        }),
      ).rejects.toThrow(/introspection `endpoint` must be an https URL/);
    });

    it('starts with http on loopback hosts, with allowInsecureHttp, or with its own keyResolver', async () => {
      const starts: Array<Partial<AuthGuardModuleOptions>> = [
        { keyResolver: undefined, issuer: 'http://localhost:3000' },
        { keyResolver: undefined, issuer: 'http://127.0.0.1:3000' },
        { keyResolver: undefined, issuer: 'http://[::1]:3000' },
        { keyResolver: undefined, issuer: 'http://issuer.test', allowInsecureHttp: true },
        { keyResolver: undefined, jwksUri: 'http://keys.test/jwks', allowInsecureHttp: true },
        // Keys resolved in-process (the identity server's /api): nothing is fetched.
        { issuer: 'http://issuer.test' },
        {
          issuer: 'http://localhost:3000',
          introspection: { clientId: 'orders', clientSecret: 'secret' },
        },
      ];
      for (const options of starts) await (await buildApp(options)).close();
    });
  });

  it('accepts any of several configured audiences', async () => {
    const multi = await buildApp({ audience: [AUDIENCE, 'billing-api'] });
    try {
      for (const aud of [AUDIENCE, 'billing-api', ['billing-api', 'x']]) {
        const res = await request(httpOf(multi))
          .get('/me')
          .set('Authorization', `Bearer ${await sign({ aud })}`);
        expect(res.status).toBe(200);
      }
      const other = await request(httpOf(multi))
        .get('/me')
        .set('Authorization', `Bearer ${await sign({ aud: 'x' })}`);
      expectInvalidToken(other);
    } finally {
      await multi.close();
    }
  });

  it('keeps each module instance its own validation when two live in one process (passport registry is global)', async () => {
    // A second module trusting another issuer must not replace the first one's strategy.
    const first = await buildApp();
    const second = await buildApp({ issuer: 'https://other-issuer.example' });
    try {
      const token = await sign();
      const viaFirst = await request(httpOf(first))
        .get('/me')
        .set('authorization', `Bearer ${token}`);
      const viaSecond = await request(httpOf(second))
        .get('/me')
        .set('authorization', `Bearer ${token}`);
      expect(viaFirst.status).toBe(200);
      expect(viaSecond.status).toBe(401);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('refuses to start with an empty issuer or audience, which would switch those checks off', async () => {
    // jsonwebtoken tests `issuer` and `audience` for truthiness: '' would accept any value.
    await expect(buildApp({ issuer: '' })).rejects.toThrow(/issuer/);
    await expect(buildApp({ issuer: '/' })).rejects.toThrow(/issuer/);
    await expect(buildApp({ audience: '' })).rejects.toThrow(/audience/);
    await expect(buildApp({ audience: [] })).rejects.toThrow(/audience/);
    await expect(buildApp({ audience: [AUDIENCE, ''] })).rejects.toThrow(/audience/);
  });

  describe('a @Public() route that also carries requirements (a configuration error, never open)', () => {
    it('stops the application at startup, naming each controller and method', async () => {
      const start = buildApp({}, [
        OpenController,
        PublicClassWithRequirementsController,
        PublicMethodUnderRequirementsController,
      ]);
      await expect(start).rejects.toThrow(/PublicClassWithRequirementsController\.guarded/);
      await expect(start).rejects.toThrow(/PublicMethodUnderRequirementsController\.opened/);
    });

    it('throws on evaluation rather than allowing, for handlers the startup check did not see', async () => {
      const guard = new AccessTokenGuard(
        new Reflector(),
        { issuer: ISSUER, audience: AUDIENCE, keyResolver },
        'tessera-jwt#unit',
      );
      for (const [cls, method] of [
        [PublicClassWithRequirementsController, 'guarded'],
        [PublicMethodUnderRequirementsController, 'opened'],
      ] as const) {
        for (const type of ['http', 'rpc']) {
          const handler = Reflect.get(cls.prototype, method) as () => unknown;
          const host = new ExecutionContextHost([{}, {}], cls as never, handler);
          host.setType(type);
          await expect(guard.canActivate(host)).rejects.toThrow(`${cls.name}.${method}`);
        }
      }
    });
  });

  it('denies handlers reached other than over HTTP (RPC, WebSocket) unless they are @Public()', async () => {
    const guard = new AccessTokenGuard(
      new Reflector(),
      { issuer: ISSUER, audience: AUDIENCE, keyResolver },
      'tessera-jwt#unit',
    );
    const contextOf = (type: string, cls: { prototype: object }, method: string) => {
      const handler = Reflect.get(cls.prototype, method) as () => unknown;
      const host = new ExecutionContextHost([{}, {}], cls as never, handler);
      host.setType(type);
      return host;
    };
    for (const type of ['rpc', 'ws', 'graphql']) {
      await expect(guard.canActivate(contextOf(type, OpenController, 'me'))).resolves.toBe(false);
      const open = contextOf(type, PublicClassController, 'open');
      await expect(guard.canActivate(open)).resolves.toBe(true);
    }
  });

  describe('@RequireActiveToken() with an introspector (RFC 7662)', () => {
    const answers: { active: boolean | Error; seen: string[] } = { active: true, seen: [] };
    const introspector: TokenIntrospector = {
      isActive: async (token) => {
        answers.seen.push(token);
        if (answers.active instanceof Error) throw answers.active;
        return answers.active;
      },
    };
    let online: INestApplication;
    const call = (token: string) =>
      request(httpOf(online)).get('/sensitive').set('Authorization', `Bearer ${token}`);

    beforeAll(async () => {
      online = await buildApp({ introspection: { introspector } });
    });
    afterAll(async () => {
      await online?.close();
    });
    beforeEach(() => {
      answers.seen = [];
    });

    it('serves an active token, asking the introspector with the raw token', async () => {
      answers.active = true;
      const token = await sign();
      expect((await call(token)).status).toBe(200);
      expect(answers.seen).toEqual([token]);
    });

    it('refuses a token the issuer says is inactive with 401 invalid_token', async () => {
      answers.active = false;
      expectInvalidToken(await call(await sign()));
    });

    it('refuses with 503 when the check cannot be made (fail closed)', async () => {
      answers.active = new Error('connection refused');
      const res = await call(await sign());
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ statusCode: 503 });
    });

    it('validates the token locally first: a forged token never reaches the introspector', async () => {
      answers.active = true;
      expectInvalidToken(await call(await sign({}, {}, foreign.privateKey)));
      expect(answers.seen).toEqual([]);
    });

    it('leaves routes without the decorator to local validation only', async () => {
      answers.active = false;
      const res = await request(httpOf(online))
        .get('/me')
        .set('Authorization', `Bearer ${await sign()}`);
      expect(res.status).toBe(200);
      expect(answers.seen).toEqual([]);
    });
  });

  describe('allowQueryToken: true (RFC 6750 §2.3)', () => {
    let lenient: INestApplication;
    beforeAll(async () => {
      lenient = await buildApp({ allowQueryToken: true });
    });
    afterAll(async () => {
      await lenient?.close();
    });

    it('accepts a valid token in the query string, and still refuses a forged one', async () => {
      const ok = await request(httpOf(lenient))
        .get('/me')
        .query({ access_token: await sign() });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ subject: 'user-1' });
      // RFC 6750 §2.3: success responses to a request with the token in the URI are private.
      expect(ok.headers['cache-control']).toBe('private');
      const viaHeader = await request(httpOf(lenient))
        .get('/me')
        .set('Authorization', `Bearer ${await sign()}`);
      expect(viaHeader.status).toBe(200);
      expect(viaHeader.headers['cache-control']).toBeUndefined();

      const forged = await request(httpOf(lenient))
        .get('/me')
        .query({ access_token: await sign({}, {}, foreign.privateKey) });
      expectInvalidToken(forged);
    });

    it('refuses a token sent two ways at once (RFC 6750 §2: one method per request)', async () => {
      const token = await sign();
      const res = await request(httpOf(lenient))
        .get('/me')
        .set('Authorization', `Bearer ${token}`)
        .query({ access_token: token });
      expect(res.status).toBe(400);
      expect(challenge(res).error).toBe('invalid_request');
    });
  });
});
