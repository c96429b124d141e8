import { createLocalJWKSet, jwtVerify } from 'jose';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { countRows, createClient } from './support/fixtures';
import { decodeJwt, getJson, HttpResult, postForm, tokenRequest } from './support/http';
import { ADMIN, CONSOLE, startServer, TestServer } from './support/test-server';

/** Claims that only a token for a user carries (RFC 9068 §2.2.3.1); a client acting as itself has none. */
const USER_CLAIMS = ['username', 'roles', 'permissions', 'auth_time'];

describe.each(DATABASES)('client credentials grant (RFC 6749 §4.4) on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;
  let service: { clientId: string; secret: string; ref: string };

  function expectOAuthError(res: HttpResult, code: string): void {
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: code });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.access_token).toBeUndefined();
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url);
    service = await createClient(server, {
      grantTypes: ['client_credentials'],
      scopes: ['orders:read', 'orders:write'],
      firstParty: false,
    });
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('issues an RFC 9068 access token whose subject is the client itself', async () => {
    const res = await tokenRequest(server.url, service, { grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    // §4.4.3: no refresh token; the default scope is everything the client was granted.
    expect(Object.keys(res.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'scope',
      'token_type',
    ]);
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'orders:read orders:write',
    });

    const token = res.body.access_token as string;
    const { header, payload } = decodeJwt(token);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    expect(typeof header.kid).toBe('string');
    expect(payload).toMatchObject({
      iss: server.config.issuer,
      aud: 'tessera',
      sub: service.clientId,
      client_id: service.clientId,
      scope: 'orders:read orders:write',
    });
    expect(payload.exp).toBe((payload.iat as number) + 900);
    expect(typeof payload.jti).toBe('string');
    for (const claim of USER_CLAIMS) expect(payload).not.toHaveProperty(claim);

    const jwks = await getJson(`${server.url}/.well-known/jwks.json`);
    const verified = await jwtVerify(token, createLocalJWKSet(jwks.body as never), {
      issuer: server.config.issuer,
      audience: 'tessera',
      typ: 'at+jwt',
    });
    expect(verified.payload.sub).toBe(service.clientId);
    expect(verified.payload.client_id).toBe(service.clientId);
  });

  it('accepts client_secret_post as well as client_secret_basic', async () => {
    const res = await postForm(`${server.url}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: service.clientId,
      client_secret: service.secret,
    });
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.access_token as string).payload.sub).toBe(service.clientId);
  });

  it('issues a new token, with its own jti, on every request', async () => {
    const [first, second] = await Promise.all([
      tokenRequest(server.url, service, { grant_type: 'client_credentials' }),
      tokenRequest(server.url, service, { grant_type: 'client_credentials' }),
    ]);
    expect(decodeJwt(first.body.access_token as string).payload.jti).not.toBe(
      decodeJwt(second.body.access_token as string).payload.jti,
    );
  });

  it('grants a narrower requested scope as requested', async () => {
    const res = await tokenRequest(server.url, service, {
      grant_type: 'client_credentials',
      scope: 'orders:read',
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('orders:read');
    expect(decodeJwt(res.body.access_token as string).payload.scope).toBe('orders:read');
  });

  it.each(['admin:all', 'orders:read admin:all', 'orders:write'])(
    'refuses scope %p outside the client scope with invalid_scope',
    async (scope) => {
      // `orders:write` is in the catalogue but outside this client's grant.
      const reader = await createClient(server, {
        grantTypes: ['client_credentials'],
        scopes: ['orders:read'],
        firstParty: false,
      });
      const res = await tokenRequest(server.url, reader, {
        grant_type: 'client_credentials',
        scope,
      });
      expectOAuthError(res, 'invalid_scope');
    },
  );

  it('never returns a refresh token, even to a client also allowed the refresh_token grant', async () => {
    const both = await createClient(server, {
      grantTypes: ['client_credentials', 'refresh_token'],
      firstParty: false,
    });
    const before = await countRows(server, 'refresh_token_families');
    const res = await tokenRequest(server.url, both, { grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('refresh_token');
    expect(await countRows(server, 'refresh_token_families')).toEqual(before);
  });

  it('ignores user credentials sent along: the token stays the client’s own', async () => {
    const res = await tokenRequest(server.url, service, {
      grant_type: 'client_credentials',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    expect(res.status).toBe(200);
    const { payload } = decodeJwt(res.body.access_token as string);
    expect(payload.sub).toBe(service.clientId);
    for (const claim of USER_CLAIMS) expect(payload).not.toHaveProperty(claim);
  });

  it('refuses a client that is not allowed the grant with unauthorized_client', async () => {
    expectOAuthError(
      await tokenRequest(server.url, CONSOLE, { grant_type: 'client_credentials' }),
      'unauthorized_client',
    );
    const app = await createClient(server, { grantTypes: ['password', 'refresh_token'] });
    expectOAuthError(
      await tokenRequest(server.url, app, { grant_type: 'client_credentials' }),
      'unauthorized_client',
    );
  });
});
