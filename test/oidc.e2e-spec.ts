import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { AccountsService } from '../apps/identity-server/src/accounts/accounts.service';
import { ClientsService } from '../apps/identity-server/src/clients/clients.service';
import { JwtSigner } from '../apps/identity-server/src/keys/jwt-signer';
import { IdTokenIssuer } from '../apps/identity-server/src/oauth/oidc/id-token.issuer';
import { DATABASES } from './support/databases';
import {
  BrowserClient,
  BrowserFlow,
  exchangeCode,
  obtainCode,
  registerBrowserClient,
} from './support/browser-flow';
import {
  createClient,
  createUser,
  revoke,
  setColumn,
  signIn,
  TestClient,
  TestUser,
} from './support/fixtures';
import { basic, decodeJwt, getJson, HttpResult, postForm, tokenRequest } from './support/http';
import { ADMIN, startServerOnNewDatabase, TestServer } from './support/test-server';

/** A user with an address, so that the `email` scope has claims to release. */
type User = TestUser & { email: string };

async function createUserWithEmail(server: TestServer): Promise<User> {
  const username = `user-${randomBytes(4).toString('hex')}`;
  const email = `${username}@example.test`;
  return { ...(await createUser(server, { username, email })), email };
}

/** Issue 6, OpenID Connect: discovery, userinfo and ID tokens (Core 1.0, Discovery 1.0). */
describe.each(DATABASES)('OpenID Connect on %s', (kind) => {
  let server: TestServer;
  /** A first-party client allowed the password grant and every OIDC scope. */
  let app: TestClient;
  let user: User;

  beforeAll(async () => {
    server = await startServerOnNewDatabase(kind);
    app = await createClient(server, {
      grantTypes: ['password', 'refresh_token'],
      scopes: ['openid', 'profile', 'email', 'orders:read'],
    });
    user = await createUserWithEmail(server);
  });
  afterAll(() => server?.close());

  async function passwordTokens(
    scope: string,
    who: User = user,
    client: TestClient = app,
  ): Promise<Record<string, string>> {
    const res = await tokenRequest(server.url, client, {
      grant_type: 'password',
      username: who.username,
      password: who.password,
      scope,
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe(scope);
    return res.body as Record<string, string>;
  }

  const userinfoUrl = () => `${server.url}/oauth/userinfo`;
  const userinfo = (token?: string, headers: Record<string, string> = {}) =>
    getJson(userinfoUrl(), token ? { authorization: `Bearer ${token}`, ...headers } : headers);

  /** The auth-params of the `WWW-Authenticate: Bearer` challenge (RFC 6750 §3). */
  function challengeOf(res: HttpResult): Record<string, string> {
    const header = res.headers.get('www-authenticate') ?? '';
    expect(header).toMatch(/^Bearer /);
    return Object.fromEntries(
      [...header.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]),
    );
  }

  function expectBearerError(res: HttpResult, status: number, error: string): void {
    expect(res.status).toBe(status);
    expect(challengeOf(res)).toMatchObject({ realm: 'tessera', error });
    expect(res.body).toMatchObject({ error });
    expect(res.headers.get('cache-control')).toBe('no-store');
  }

  describe('discovery (OpenID Connect Discovery 1.0)', () => {
    it('serves one document at both well-known addresses', async () => {
      const oidc = await getJson(`${server.url}/.well-known/openid-configuration`);
      const oauth = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
      expect(oidc.status).toBe(200);
      expect(oidc.headers.get('content-type')).toMatch(/^application\/json/);
      expect(oidc.body).toEqual(oauth.body);
    });

    it('has the OpenID Connect members, with absolute endpoints under the issuer', async () => {
      const { body } = await getJson(`${server.url}/.well-known/openid-configuration`);
      const issuer = server.config.issuer;
      // Discovery §4.3: the issuer of the document is the one it was fetched under.
      expect(body.issuer).toBe(issuer);
      expect(body).toMatchObject({
        userinfo_endpoint: `${issuer}/oauth/userinfo`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint: `${issuer}/oauth/token`,
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_parameter_supported: false,
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
      });
      for (const [name, value] of Object.entries(body)) {
        if (name.endsWith('_endpoint') || name === 'jwks_uri')
          expect(String(value).startsWith(`${issuer}/`)).toBe(true);
      }
      expect(body.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
      expect(body.claims_supported).toEqual(
        expect.arrayContaining([
          'sub',
          'iss',
          'aud',
          'exp',
          'iat',
          'auth_time',
          'amr',
          'nonce',
          'at_hash',
          'preferred_username',
          'updated_at',
          'email',
          'email_verified',
        ]),
      );
    });

    it('serves the advertised userinfo endpoint (a challenge, not 404)', async () => {
      const { body } = await getJson(`${server.url}/.well-known/openid-configuration`);
      const local = String(body.userinfo_endpoint).replace(server.config.issuer, server.url);
      const res = await getJson(local);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
    });
  });

  describe('the OIDC scopes in the catalogue', () => {
    it('are described in plain words from the first start', async () => {
      const token = await signIn(server, ADMIN.username, ADMIN.password);
      const res = await getJson(`${server.url}/api/scopes`, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(200);
      const scopes = res.body as unknown as Array<{ name: string; description: string }>;
      const described = Object.fromEntries(scopes.map((s) => [s.name, s.description]));
      expect(described).toMatchObject({
        openid: 'Sign you in with your Tessera account',
        profile: 'See your username and profile',
        email: 'See your email address',
      });
    });

    it('can be asked for at registration and granted at review', async () => {
      const client = await registerBrowserClient(server, { scope: 'openid profile email' });
      const granted = await server.get(ClientsService).findByClientId(client.clientId);
      expect(granted?.scopes).toEqual(['openid', 'profile', 'email']);
    });

    it('are not given to the bootstrap console (it has no browser sign-in)', async () => {
      const token = await signIn(server, ADMIN.username, ADMIN.password);
      expect(decodeJwt(token).payload.scope).toBe('orders:read orders:write');
    });
  });

  describe('userinfo (Core 1.0 §5.3)', () => {
    it('answers sub and the claims of profile and email, not cached', async () => {
      const tokens = await passwordTokens('openid profile email');
      const res = await userinfo(tokens.access_token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toEqual({
        sub: user.id,
        preferred_username: user.username,
        updated_at: expect.any(Number),
        email: user.email,
        // The platform does not verify addresses (an admin types them in).
        email_verified: false,
      });
      // The same subject as the access token's (Core §5.3.2: the client must check this).
      expect(decodeJwt(tokens.access_token).payload.sub).toBe(res.body.sub);
    });

    it('answers only what the scope releases', async () => {
      const openidOnly = await userinfo((await passwordTokens('openid')).access_token);
      expect(openidOnly.body).toEqual({ sub: user.id });

      const profile = await userinfo((await passwordTokens('openid profile')).access_token);
      expect(profile.status).toBe(200);
      expect(profile.body).toHaveProperty('preferred_username', user.username);
      expect(profile.body).not.toHaveProperty('email');
      expect(profile.body).not.toHaveProperty('email_verified');

      const email = await userinfo((await passwordTokens('openid email orders:read')).access_token);
      expect(email.body).toEqual({ sub: user.id, email: user.email, email_verified: false });
    });

    it('accepts POST, with the token in the header or in the form body (RFC 6750 §2.2)', async () => {
      const { access_token: token } = await passwordTokens('openid email');
      const expected = { sub: user.id, email: user.email, email_verified: false };
      const viaHeader = await postForm(userinfoUrl(), {}, { authorization: `Bearer ${token}` });
      expect(viaHeader.status).toBe(200);
      expect(viaHeader.body).toEqual(expected);
      const viaBody = await postForm(userinfoUrl(), { access_token: token });
      expect(viaBody.status).toBe(200);
      expect(viaBody.headers.get('cache-control')).toBe('no-store');
      expect(viaBody.body).toEqual(expected);
    });

    it('without a token: 401 with a bare challenge (RFC 6750 §3.1)', async () => {
      for (const res of [
        await userinfo(),
        await userinfo(undefined, { authorization: basic(app.clientId, app.secret) }),
        await postForm(userinfoUrl(), {}),
      ]) {
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
        expect(res.body).not.toHaveProperty('error');
      }
    });

    it('a token without openid: 403 insufficient_scope naming openid', async () => {
      const res = await userinfo((await passwordTokens('orders:read')).access_token);
      expectBearerError(res, 403, 'insufficient_scope');
      expect(challengeOf(res).scope).toBe('openid');
    });

    it('a malformed, forged or expired token: 401 invalid_token', async () => {
      const { access_token: token } = await passwordTokens('openid profile');
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: ADMIN.username })).toString('base64url')}.${signature}`;
      // Signed by the server's own key, but expired an hour ago.
      const now = Math.floor(Date.now() / 1000);
      const expired = await server
        .get(JwtSigner)
        .sign({ ...claims, iat: now - 7200, exp: now - 3600 }, 'at+jwt');
      for (const bad of ['not-a-token', forged, expired])
        expectBearerError(await userinfo(bad), 401, 'invalid_token');
    });

    it('a revoked token: 401 invalid_token', async () => {
      const tokens = await passwordTokens('openid');
      expect((await userinfo(tokens.access_token)).status).toBe(200);
      const revoked = await revoke(server, tokens.access_token, { as: app });
      expect(revoked.status).toBe(200);
      expectBearerError(await userinfo(tokens.access_token), 401, 'invalid_token');
    });

    it('the token of a user disabled since: 401 invalid_token at once', async () => {
      const other = await createUserWithEmail(server);
      const { access_token: token } = await passwordTokens('openid', other);
      expect((await userinfo(token)).status).toBe(200);
      await setColumn(server, 'users', other.id, 'status', 'disabled');
      expectBearerError(await userinfo(token), 401, 'invalid_token');
    });

    it('neither a refresh token, an ID token nor a client’s own token', async () => {
      const tokens = await passwordTokens('openid profile');
      const idToken = await server.get(IdTokenIssuer).issue({
        client: (await server.get(ClientsService).findByClientId(app.clientId))!,
        user: (await server.get(AccountsService).findPrincipal(user.id))!,
        scope: 'openid profile',
        authTime: new Date(),
        accessToken: tokens.access_token,
      });
      const service = await createClient(server, {
        grantTypes: ['client_credentials'],
        scopes: ['openid', 'orders:read'],
      });
      const own = await tokenRequest(server.url, service, {
        grant_type: 'client_credentials',
        scope: 'openid',
      });
      expect(own.status).toBe(200);
      for (const token of [tokens.refresh_token, idToken, own.body.access_token as string])
        expectBearerError(await userinfo(token), 401, 'invalid_token');
    });

    it('refuses a token in the query string or sent two ways (400 invalid_request)', async () => {
      const { access_token: token } = await passwordTokens('openid');
      const inQuery = await getJson(`${userinfoUrl()}?access_token=${token}`);
      expectBearerError(inQuery, 400, 'invalid_request');
      const twice = await postForm(
        userinfoUrl(),
        { access_token: token },
        { authorization: `Bearer ${token}` },
      );
      expectBearerError(twice, 400, 'invalid_request');
      const repeated = await postForm(userinfoUrl(), [
        ['access_token', token],
        ['access_token', token],
      ]);
      expectBearerError(repeated, 400, 'invalid_request');
      const empty = await userinfo(undefined, { authorization: 'Bearer ' });
      expectBearerError(empty, 400, 'invalid_request');
    });
  });

  describe('the password grant', () => {
    it('issues no ID token, at first or on refresh, even with openid granted', async () => {
      const tokens = await passwordTokens('openid orders:read');
      expect(tokens).not.toHaveProperty('id_token');
      const refreshed = await tokenRequest(server.url, app, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.scope).toBe('openid orders:read');
      expect(refreshed.body).not.toHaveProperty('id_token');
    });
  });

  describe('ID tokens (Core 1.0 §2)', () => {
    it('verify against the published JWKS, typ JWT, with the claims of the request', async () => {
      const tokens = await passwordTokens('openid profile email');
      const authTime = new Date(Date.now() - 60_000);
      const idToken = await server.get(IdTokenIssuer).issue({
        client: (await server.get(ClientsService).findByClientId(app.clientId))!,
        user: (await server.get(AccountsService).findPrincipal(user.id))!,
        scope: 'openid profile email',
        nonce: 'n-0S6_WzA2Mj',
        authTime,
        accessToken: tokens.access_token,
      });
      const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(idToken, jwks, {
        issuer: server.config.issuer,
        audience: app.clientId,
        typ: 'JWT',
      });
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload).toMatchObject({
        sub: user.id,
        azp: app.clientId,
        nonce: 'n-0S6_WzA2Mj',
        auth_time: Math.floor(authTime.getTime() / 1000),
        at_hash: atHash(tokens.access_token),
        preferred_username: user.username,
        email: user.email,
        email_verified: false,
      });
      expect(payload.exp).toBeGreaterThan(payload.iat as number);
    });
  });
});

describe.each(DATABASES)('OpenID Connect in the authorization code flow on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServerOnNewDatabase(kind);
  });
  afterAll(() => server?.close());

  /** A user of one test: their only browser session is the one the test signs in with. */
  const newUser = () => createUserWithEmail(server);

  /** The sign-in time of the user's one browser session, as stored (seconds). */
  async function sessionAuthTime(user: User): Promise<number> {
    const rows: Array<{ auth_time: string | Date }> = await server.dataSource.query(
      'SELECT auth_time FROM browser_sessions WHERE user_id = ?',
      [user.id],
    );
    expect(rows).toHaveLength(1);
    const value = rows[0].auth_time;
    const date = value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
    return Math.floor(date.getTime() / 1000);
  }

  async function codeFlow(
    browser: BrowserFlow,
    client: BrowserClient,
    user: User,
    extra: Record<string, string> = {},
  ): Promise<Record<string, string>> {
    const { verifier, callback } = await obtainCode(browser, client, user, extra);
    expect(callback.code).toBeDefined();
    const res = await exchangeCode(server.url, client, {
      code: callback.code!,
      redirectUri: client.redirectUris[0],
      verifier,
    });
    expect(res.status).toBe(200);
    return res.body as Record<string, string>;
  }

  async function verifyIdToken(idToken: string, client: BrowserClient) {
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    return jwtVerify(idToken, jwks, {
      issuer: server.config.issuer,
      audience: client.clientId,
      typ: 'JWT',
      algorithms: ['RS256'],
    });
  }

  it('issues an ID token beside the access token when openid is granted (Core §3.1.3.3)', async () => {
    const user = await newUser();
    const client = await registerBrowserClient(server, { scope: 'openid profile email' });
    const browser = new BrowserFlow(server.url);
    const tokens = await codeFlow(browser, client, user, { nonce: 'n-0S6_WzA2Mj' });
    expect(typeof tokens.id_token).toBe('string');

    const { payload, protectedHeader } = await verifyIdToken(tokens.id_token, client);
    expect(protectedHeader.typ).toBe('JWT');
    expect(payload).toMatchObject({
      iss: server.config.issuer,
      sub: user.id,
      aud: client.clientId,
      azp: client.clientId,
      nonce: 'n-0S6_WzA2Mj',
      auth_time: await sessionAuthTime(user),
      // RFC 8176 §2: the password, the only way to sign in to Tessera.
      amr: ['pwd'],
      at_hash: atHash(tokens.access_token),
      preferred_username: user.username,
      email: user.email,
      email_verified: false,
    });
    expect(payload.exp).toBeGreaterThan(payload.iat as number);
    // The same subject as the access token and userinfo.
    expect(decodeJwt(tokens.access_token).payload.sub).toBe(payload.sub);
    const info = await getJson(`${server.url}/oauth/userinfo`, {
      authorization: `Bearer ${tokens.access_token}`,
    });
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ sub: user.id, preferred_username: user.username });
  });

  it('has no nonce when the request had none, and only the scope’s claims', async () => {
    const client = await registerBrowserClient(server, { scope: 'openid' });
    const tokens = await codeFlow(new BrowserFlow(server.url), client, await newUser());
    const { payload } = await verifyIdToken(tokens.id_token, client);
    expect(payload).not.toHaveProperty('nonce');
    expect(payload).not.toHaveProperty('preferred_username');
    expect(payload).not.toHaveProperty('email');
  });

  it('keeps auth_time across single sign-on into a second client', async () => {
    const user = await newUser();
    const browser = new BrowserFlow(server.url);
    const first = await registerBrowserClient(server, { scope: 'openid' });
    const second = await registerBrowserClient(server, { scope: 'openid' });
    const one = await verifyIdToken((await codeFlow(browser, first, user)).id_token, first);
    expect(one.payload.auth_time).toBe(await sessionAuthTime(user));
    // Move the sign-in ten minutes back, so that an auth_time taken from the
    // clock instead of the session could not match by falling in the same second.
    const signedInAt = Math.floor(Date.now() / 1000) - 600;
    await server.dataSource.query('UPDATE browser_sessions SET auth_time = ? WHERE user_id = ?', [
      // The engines' common datetime text (UTC, as TypeORM stores it).
      new Date(signedInAt * 1000).toISOString().replace('T', ' ').replace('Z', ''),
      user.id,
    ]);
    expect(await sessionAuthTime(user)).toBe(signedInAt);

    // The second client: no password page this time (single sign-on), the same session.
    const { callback, verifier } = await obtainCode(
      browser,
      second,
      {
        username: user.username,
        password: 'not-asked-for',
      },
      { nonce: 'second' },
    );
    const tokens = await exchangeCode(server.url, second, {
      code: callback.code!,
      redirectUri: second.redirectUris[0],
      verifier,
    });
    expect(tokens.status).toBe(200);
    const two = await verifyIdToken(tokens.body.id_token as string, second);
    expect(two.payload).toMatchObject({ aud: second.clientId, nonce: 'second', sub: user.id });
    expect(two.payload.auth_time).toBe(signedInAt);
    expect(await sessionAuthTime(user)).toBe(signedInAt);
  });

  describe('on refresh (Core 1.0 §12.2)', () => {
    const refresh = (client: BrowserClient, token: string, extra: Record<string, string> = {}) =>
      tokenRequest(server.url, client, {
        grant_type: 'refresh_token',
        refresh_token: token,
        ...extra,
      });

    it('issues a new ID token for the same authentication: sub, aud, auth_time and nonce kept', async () => {
      const user = await newUser();
      const client = await registerBrowserClient(server, {
        scope: 'openid email orders:read',
        refreshTokens: true,
      });
      const first = await codeFlow(new BrowserFlow(server.url), client, user, {
        nonce: 'n-refresh',
      });
      const original = (await verifyIdToken(first.id_token, client)).payload;

      // Two rotations: the mark travels in each successor.
      let token = first.refresh_token;
      for (let round = 0; round < 2; round++) {
        const res = await refresh(client, token);
        expect(res.status).toBe(200);
        const body = res.body as Record<string, string>;
        const { payload } = await verifyIdToken(body.id_token, client);
        expect(payload).toMatchObject({
          iss: original.iss,
          sub: user.id,
          aud: client.clientId,
          azp: client.clientId,
          auth_time: original.auth_time,
          amr: ['pwd'],
          nonce: 'n-refresh',
          email: user.email,
          // Bound to the access token of this response, not the first one.
          at_hash: atHash(body.access_token),
        });
        expect(payload.iat).toBeGreaterThanOrEqual(original.iat as number);
        token = body.refresh_token;
      }
    });

    it('keeps the refresh token live when the ID token cannot be made: the retry gets both', async () => {
      const client = await registerBrowserClient(server, {
        scope: 'openid email orders:read',
        refreshTokens: true,
      });
      const first = await codeFlow(new BrowserFlow(server.url), client, await newUser());
      const failing = jest
        .spyOn(server.get(IdTokenIssuer), 'issue')
        .mockRejectedValueOnce(new Error('the profile could not be read'));
      try {
        const failed = await refresh(client, first.refresh_token);
        expect(failed.status).toBe(500);
        expect(failed.body.error).toBe('server_error');
        expect(JSON.stringify(failed.body)).not.toContain('profile');
        expect(failed.body).not.toHaveProperty('refresh_token');
      } finally {
        failing.mockRestore();
      }
      const retried = await refresh(client, first.refresh_token);
      expect(retried.status).toBe(200);
      await verifyIdToken(retried.body.id_token as string, client);
      expect(typeof retried.body.refresh_token).toBe('string');
    });

    it('issues none when the refresh narrows the scope without openid', async () => {
      const client = await registerBrowserClient(server, {
        scope: 'openid orders:read',
        refreshTokens: true,
      });
      const first = await codeFlow(new BrowserFlow(server.url), client, await newUser());
      const narrowed = await refresh(client, first.refresh_token, { scope: 'orders:read' });
      expect(narrowed.status).toBe(200);
      expect(narrowed.body.scope).toBe('orders:read');
      expect(narrowed.body).not.toHaveProperty('id_token');
      // The grant keeps openid: the next refresh without a scope has one again, with no nonce.
      const next = await refresh(client, narrowed.body.refresh_token as string);
      expect(next.status).toBe(200);
      const { payload } = await verifyIdToken(next.body.id_token as string, client);
      expect(payload).not.toHaveProperty('nonce');
    });
  });

  it('issues no ID token without openid', async () => {
    const client = await registerBrowserClient(server, { scope: 'orders:read' });
    const tokens = await codeFlow(new BrowserFlow(server.url), client, await newUser());
    expect(typeof tokens.access_token).toBe('string');
    expect(tokens).not.toHaveProperty('id_token');
  });
});

describe.each(DATABASES)('OpenID Connect with SIGNING_KEY_ALGORITHM=ES256 on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServerOnNewDatabase(kind, { SIGNING_KEY_ALGORITHM: 'ES256' });
  });
  afterAll(() => server?.close());

  it('advertises the algorithm its ID tokens are really signed with', async () => {
    const { body } = await getJson(`${server.url}/.well-known/openid-configuration`);
    expect(body.id_token_signing_alg_values_supported).toEqual(['ES256']);

    const client = await createClient(server, { grantTypes: ['password'], scopes: ['openid'] });
    const user = await createUser(server);
    const idToken = await server.get(IdTokenIssuer).issue({
      client: (await server.get(ClientsService).findByClientId(client.clientId))!,
      user: (await server.get(AccountsService).findPrincipal(user.id))!,
      scope: 'openid',
      authTime: new Date(),
      accessToken: 'an-access-token',
    });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { protectedHeader, payload } = await jwtVerify(idToken, jwks, {
      issuer: server.config.issuer,
      audience: client.clientId,
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    // ES256 hashes with SHA-256 too.
    expect(payload.at_hash).toBe(atHash('an-access-token'));
  });
});

/** `at_hash` computed independently of the server's code (Core 1.0 §3.1.3.6, SHA-256 for RS256/ES256). */
function atHash(accessToken: string): string {
  return createHash('sha256')
    .update(accessToken, 'ascii')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}
