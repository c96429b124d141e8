import { AuditService } from '../apps/identity-server/src/audit/audit.service';
import { ScopeCatalogueService } from '../apps/identity-server/src/clients/scope-catalogue.service';
import { BrowserFlowHousekeeping } from '../apps/identity-server/src/oauth/authorize/browser-flow-housekeeping';
import { ConsentStore } from '../apps/identity-server/src/oauth/authorize/consent.store';
import {
  authorizationParams,
  BAD_CREDENTIALS_TEXT,
  BrowserClient,
  BrowserFlow,
  csrfOf,
  exchangeCode,
  obtainCode,
  pkcePair,
  registerBrowserClient,
} from './support/browser-flow';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { createUser, introspect, setColumn, signIn, sqlTime } from './support/fixtures';
import { apiRequest, decodeJwt, postForm, tokenRequest } from './support/http';
import { ADMIN, startServer, TestServer } from './support/test-server';

const REDIRECT = 'https://app.example.com/callback';

/**
 * SPEC flow 5 (issue 6): the authorization code flow with PKCE through
 * Tessera's pages, every error of the authorization endpoint (error page or
 * redirect, RFC 6749 §4.1.2.1), and the code's single use (§4.1.2).
 */
describe.each(DATABASES)('authorization code flow (RFC 6749 §4.1, RFC 7636) on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;
  let client: BrowserClient;
  let user: { id: string; username: string; password: string };

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url);
    client = await registerBrowserClient(server, {
      redirectUris: [REDIRECT, 'http://127.0.0.1:8080/cb'],
      scope: 'orders:read orders:write',
      refreshTokens: true,
      name: 'Orders Web',
    });
    user = await createUser(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('advertises the authorization endpoint in the metadata (RFC 8414, RFC 9207)', async () => {
    const res = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    const metadata = (await res.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      authorization_endpoint: `${server.url}/oauth/authorize`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      end_session_endpoint: `${server.url}/logout`,
    });
    expect(metadata.grant_types_supported).toContain('authorization_code');
  });

  it('runs the whole flow: login page, consent, code, token exchange, /api', async () => {
    const browser = new BrowserFlow(server.url);
    const { verifier, challenge } = pkcePair();
    const params = authorizationParams(client, challenge, { state: 'xyz/ABC 123' });

    const start = await browser.authorize(params);
    expect(start.status).toBe(303);
    expect(start.location).toMatch(new RegExp(`^${server.url}/interaction/[A-Za-z0-9_-]{22}$`));
    const interactionCookie = browser.jar.get('tessera_interaction');
    expect(interactionCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(interactionCookie?.path).toBe(new URL(start.location!).pathname);
    expect(start.headers.getSetCookie().join('\n')).not.toMatch(/Secure/);

    const login = await browser.follow();
    expect(login.status).toBe(200);
    expect(login.headers.get('content-type')).toMatch(/^text\/html/);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = login.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/form-action [^;]*https:\/\/app\.example\.com/);
    expect(login.body).toContain('Orders Web');
    expect(login.body).toMatch(/name="?username/);

    const afterLogin = await browser.submitLogin(user.username, user.password);
    expect(afterLogin.status).toBe(303);
    expect(afterLogin.location).toBe(start.location);
    const session = browser.jar.get('tessera_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

    const consent = await browser.follow();
    expect(consent.status).toBe(200);
    expect(consent.body).toContain('Orders Web');
    expect(consent.body).toContain(user.username);
    expect(consent.body).toMatch(/name="?decision/);
    // Each scope in plain words, from the scope catalogue.
    const catalogue = await server.get(ScopeCatalogueService).list();
    for (const name of ['orders:read', 'orders:write'])
      expect(consent.body).toContain(catalogue.find((scope) => scope.name === name)!.description);
    expect(consent.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    const done = await browser.submitConsent('allow');
    expect(done.status).toBe(303);
    // The response carrying the code is never cached.
    expect(done.headers.get('cache-control')).toBe('no-store');
    const callback = browser.callback();
    expect(callback.target).toBe(REDIRECT);
    expect(callback.state).toBe('xyz/ABC 123');
    expect(callback.iss).toBe(server.config.issuer);
    expect(callback.code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The code is stored only as a hash.
    const stored = await server.dataSource.query('SELECT code_hash FROM authorization_codes');
    expect(JSON.stringify(stored)).not.toContain(callback.code);

    const tokens = await exchangeCode(server.url, client, {
      code: callback.code!,
      redirectUri: REDIRECT,
      verifier,
    });
    expect(tokens.status).toBe(200);
    expect(tokens.headers.get('cache-control')).toBe('no-store');
    expect(tokens.body).toMatchObject({
      token_type: 'Bearer',
      scope: 'orders:read orders:write',
    });
    expect(typeof tokens.body.refresh_token).toBe('string');
    expect(tokens.body.id_token).toBeUndefined();
    const claims = decodeJwt(tokens.body.access_token as string).payload;
    expect(claims).toMatchObject({ sub: user.id, client_id: client.clientId });
    expect(typeof claims.grant_id).toBe('string');

    // The access token is a user's token: it reads the user's own account.
    // (The platform /api takes first-party tokens only: see single-sign-on spec for that path.)
    const introspected = await introspect(server, tokens.body.access_token as string, {
      as: client,
    });
    expect(introspected.body).toMatchObject({ active: true, sub: user.id });

    const events = await server.get(AuditService).recent('user.signed_in');
    expect(events.some((e) => e.subjectId === user.id)).toBe(true);
    const consents = await server.get(AuditService).recent('consent.granted');
    expect(consents.some((e) => e.subjectId === user.id)).toBe(true);
  });

  it('adds an ID token when openid was granted (OIDC Core §3.1.3.3): aud, nonce, auth_time', async () => {
    const oidcClient = await registerBrowserClient(server, {
      redirectUris: [REDIRECT],
      scope: 'openid orders:read',
      firstParty: true,
    });
    const browser = new BrowserFlow(server.url);
    const { verifier, callback } = await obtainCode(browser, oidcClient, user, {
      nonce: 'n-0S6_WzA2Mj',
    });
    const tokens = await exchangeCode(server.url, oidcClient, {
      code: callback.code!,
      redirectUri: REDIRECT,
      verifier,
    });
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('openid orders:read');
    const idToken = decodeJwt(tokens.body.id_token as string);
    expect(idToken.header.alg).toBe('RS256');
    expect(idToken.payload).toMatchObject({
      iss: server.config.issuer,
      sub: user.id,
      aud: oidcClient.clientId,
      nonce: 'n-0S6_WzA2Mj',
    });
    expect(idToken.payload.auth_time).toBe(
      decodeJwt(tokens.body.access_token as string).payload.auth_time,
    );
  });

  it('accepts the request by POST too (OIDC Core §3.1.2.1)', async () => {
    const browser = new BrowserFlow(server.url);
    const { challenge } = pkcePair();
    const res = await browser.authorize(authorizationParams(client, challenge), 'POST');
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/\/interaction\//);
  });

  describe('errors shown as a page, never redirected (RFC 6749 §4.1.2.1)', () => {
    const cases: Array<[string, (p: Record<string, string>) => Array<[string, string]>]> = [
      ['no client_id', (p) => Object.entries(p).filter(([k]) => k !== 'client_id')],
      ['an unknown client', (p) => Object.entries({ ...p, client_id: 'no-such-client' })],
      [
        'a client_id in another case',
        (p) => Object.entries({ ...p, client_id: p.client_id.toUpperCase() }),
      ],
      [
        'a client_id with a trailing space',
        (p) => Object.entries({ ...p, client_id: `${p.client_id} ` }),
      ],
      [
        'an unregistered redirect_uri',
        (p) => Object.entries({ ...p, redirect_uri: 'https://evil.example.com/callback' }),
      ],
      [
        'no redirect_uri with two registered',
        (p) => Object.entries(p).filter(([k]) => k !== 'redirect_uri'),
      ],
      ['a repeated client_id', (p) => [...Object.entries(p), ['client_id', p.client_id]]],
      ['a repeated redirect_uri', (p) => [...Object.entries(p), ['redirect_uri', REDIRECT]]],
    ];
    it.each(cases)('%s', async (_name, mutate) => {
      const browser = new BrowserFlow(server.url);
      const { challenge } = pkcePair();
      const res = await browser.authorize(mutate(authorizationParams(client, challenge)));
      expect(res.status).toBe(400);
      expect(res.location).toBeUndefined();
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.body).not.toContain('evil.example.com');
    });

    it('a client that is not approved, or not allowed authorization_code', async () => {
      const confidential = await registerBrowserClient(server, { redirectUris: [REDIRECT] });
      await setColumn(server, 'clients', confidential.id, 'status', 'suspended');
      const browser = new BrowserFlow(server.url);
      const { challenge } = pkcePair();
      const suspended = await browser.authorize(authorizationParams(confidential, challenge));
      expect(suspended.status).toBe(400);
      expect(suspended.location).toBeUndefined();

      const service = await browser.authorize({
        ...authorizationParams(client, challenge),
        client_id: 'console',
        redirect_uri: REDIRECT,
      });
      expect(service.status).toBe(400);
      expect(service.location).toBeUndefined();
    });
  });

  describe('errors redirected to the client with state and iss (RFC 6749 §4.1.2.1, RFC 9207)', () => {
    const cases: Array<
      [string, (p: Record<string, string>) => Array<[string, string]>, string, boolean?]
    > = [
      [
        'response_type=token',
        (p) => Object.entries({ ...p, response_type: 'token' }),
        'unsupported_response_type',
      ],
      [
        'no response_type',
        (p) => Object.entries(p).filter(([k]) => k !== 'response_type'),
        'invalid_request',
      ],
      [
        'no code_challenge (PKCE required)',
        (p) => Object.entries(p).filter(([k]) => k !== 'code_challenge'),
        'invalid_request',
      ],
      [
        'code_challenge_method=plain',
        (p) => Object.entries({ ...p, code_challenge_method: 'plain' }),
        'invalid_request',
      ],
      [
        'no code_challenge_method (plain by default)',
        (p) => Object.entries(p).filter(([k]) => k !== 'code_challenge_method'),
        'invalid_request',
      ],
      [
        'a malformed code_challenge',
        (p) => Object.entries({ ...p, code_challenge: 'short+/=' }),
        'invalid_request',
      ],
      [
        'an S256 code_challenge no digest encodes to (a verifier sent as challenge)',
        (p) => Object.entries({ ...p, code_challenge: pkcePair().verifier.padEnd(64, '~') }),
        'invalid_request',
      ],
      [
        'a scope outside the granted ones',
        (p) => Object.entries({ ...p, scope: 'orders:read admin' }),
        'invalid_scope',
      ],
      [
        'a repeated scope parameter',
        (p) => [...Object.entries(p), ['scope', 'orders:read']],
        'invalid_request',
      ],
      [
        'an unknown prompt value',
        (p) => Object.entries({ ...p, prompt: 'sometimes' }),
        'invalid_request',
      ],
      [
        'prompt=none with login',
        (p) => Object.entries({ ...p, prompt: 'none login' }),
        'invalid_request',
      ],
      ['a malformed max_age', (p) => Object.entries({ ...p, max_age: '-1' }), 'invalid_request'],
      [
        'prompt=none without a session',
        (p) => Object.entries({ ...p, prompt: 'none' }),
        'login_required',
      ],
    ];
    it.each(cases)('%s', async (_name, mutate, error) => {
      const browser = new BrowserFlow(server.url);
      const { challenge } = pkcePair();
      const params = authorizationParams(client, challenge, { state: 'st-1' });
      const res = await browser.authorize(mutate(params));
      expect(res.status).toBe(302);
      const callback = browser.callback();
      expect(callback.target).toBe(REDIRECT);
      expect(callback.error).toBe(error);
      expect(typeof callback.error_description).toBe('string');
      expect(callback.state).toBe('st-1');
      expect(callback.iss).toBe(server.config.issuer);
      expect(callback.code).toBeUndefined();
    });

    it('reads a query whose state holds an unencoded "?" whole (RFC 3986 §3.4)', async () => {
      const browser = new BrowserFlow(server.url);
      const rest = Object.entries(
        authorizationParams(client, pkcePair().challenge, { response_type: 'token' }),
      ).filter(([name]) => name !== 'state');
      // `?` is a legal query character: everything after it still belongs to the request.
      const query = `state=back?to=/orders&${new URLSearchParams(rest).toString()}`;
      const res = await browser.get(`/oauth/authorize?${query}`);
      expect(res.status).toBe(302);
      expect(browser.callback()).toMatchObject({
        target: REDIRECT,
        error: 'unsupported_response_type',
        state: 'back?to=/orders',
      });
    });

    it('never reflects text chosen by the requester in error_description', async () => {
      const payload = '<script>alert("x")</script>';
      const mutations: Array<(p: Record<string, string>) => Array<[string, string]>> = [
        (p) => Object.entries({ ...p, prompt: payload }),
        (p) => Object.entries({ ...p, scope: `orders:read ${payload.replace(/"/g, '')}` }),
        (p) => [...Object.entries(p), [payload, '1'], [payload, '2']],
      ];
      for (const mutate of mutations) {
        const browser = new BrowserFlow(server.url);
        await browser.authorize(mutate(authorizationParams(client, pkcePair().challenge)));
        const { error, error_description: description } = browser.callback();
        expect(error).toMatch(/^invalid_(request|scope)$/);
        expect(description).not.toMatch(/script|alert/);
        // RFC 6749 §4.1.2.1: error_description is %x20-21 / %x23-5B / %x5D-7E only.
        expect(description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
      }
    });

    it('uses the only registered redirect URI when none is sent', async () => {
      const single = await registerBrowserClient(server, { redirectUris: [REDIRECT] });
      const browser = new BrowserFlow(server.url);
      const params = Object.entries(
        authorizationParams(single, pkcePair().challenge, { response_type: 'token' }),
      ).filter(([k]) => k !== 'redirect_uri');
      await browser.authorize(params);
      expect(browser.callback()).toMatchObject({
        target: REDIRECT,
        error: 'unsupported_response_type',
      });
    });

    it('denial at the consent page is access_denied', async () => {
      const browser = new BrowserFlow(server.url);
      const { challenge } = pkcePair();
      await browser.authorize(
        authorizationParams(client, challenge, { state: 'deny-me', prompt: 'consent' }),
      );
      await browser.follow();
      await browser.submitLogin(user.username, user.password);
      await browser.follow();
      const res = await browser.submitConsent('deny');
      expect(res.status).toBe(303);
      expect(browser.callback()).toMatchObject({
        target: REDIRECT,
        error: 'access_denied',
        state: 'deny-me',
        iss: server.config.issuer,
      });
    });
  });

  describe('the code', () => {
    let fresh: BrowserClient;
    let browser: BrowserFlow;

    beforeAll(async () => {
      fresh = await registerBrowserClient(server, {
        redirectUris: [REDIRECT, 'http://127.0.0.1:8080/cb'],
        refreshTokens: true,
        firstParty: true,
      });
      browser = new BrowserFlow(server.url);
    });

    async function code(extra: Record<string, string> = {}) {
      const got = await obtainCode(browser, fresh, user, extra);
      expect(got.callback.code).toBeDefined();
      return { code: got.callback.code!, verifier: got.verifier };
    }

    /** Exchanges a code obtained for `client`, which must be refused as invalid_grant. */
    async function expectRefused(
      client: BrowserClient,
      got: { verifier: string; callback: { code?: string } },
    ) {
      const res = await exchangeCode(server.url, client, {
        code: got.callback.code!,
        redirectUri: REDIRECT,
        verifier: got.verifier,
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
    }

    it('used twice fails, and revokes the tokens issued from it (RFC 6749 §4.1.2)', async () => {
      const { code: c, verifier } = await code();
      const first = await exchangeCode(server.url, fresh, {
        code: c,
        redirectUri: REDIRECT,
        verifier,
      });
      expect(first.status).toBe(200);
      const second = await exchangeCode(server.url, fresh, {
        code: c,
        redirectUri: REDIRECT,
        verifier,
      });
      expect(second.status).toBe(400);
      expect(second.body.error).toBe('invalid_grant');

      const access = first.body.access_token as string;
      const introspected = await introspect(server, access, { as: fresh });
      expect(introspected.body).toEqual({ active: false });
      // A first-party client's user token would read /api/users/me; this one is refused now.
      expect((await apiRequest(server.url, 'GET', '/api/users/me', access)).status).toBe(401);
      const refreshed = await tokenRequest(server.url, fresh, {
        grant_type: 'refresh_token',
        refresh_token: first.body.refresh_token as string,
      });
      expect(refreshed.status).toBe(400);
      expect(refreshed.body.error).toBe('invalid_grant');
      const reused = await server.get(AuditService).recent('authorization_code.reused');
      expect(reused.some((e) => e.subjectId === user.id)).toBe(true);
    });

    it('redeemed twice at once: never two token sets, and any issued is revoked', async () => {
      const { code: c, verifier } = await code();
      const both = await Promise.all(
        [1, 2].map(() =>
          exchangeCode(server.url, fresh, { code: c, redirectUri: REDIRECT, verifier }),
        ),
      );
      const won = both.filter((res) => res.status === 200);
      expect(won.length).toBeLessThanOrEqual(1);
      for (const res of both.filter((r) => r.status !== 200))
        expect(res.body.error).toBe('invalid_grant');
      for (const res of won) {
        const introspected = await introspect(server, res.body.access_token as string, {
          as: fresh,
        });
        expect(introspected.body).toEqual({ active: false });
      }
    });

    it('dies unredeemed when the user changes password (RFC 9700 §4.14)', async () => {
      const person = await createUser(server);
      const mine = new BrowserFlow(server.url);
      const got = await obtainCode(mine, fresh, person);
      const own = await signIn(server, person.username, person.password);
      const changed = await apiRequest(server.url, 'POST', '/api/users/me/password', own, {
        currentPassword: person.password,
        newPassword: `${person.password}-Changed-2`,
      });
      expect(changed.status).toBe(204);
      await expectRefused(fresh, got);
    });

    it('dies unredeemed when its client is suspended, even once reinstated', async () => {
      const app = await registerBrowserClient(server, {
        redirectUris: [REDIRECT],
        firstParty: true,
      });
      const got = await obtainCode(new BrowserFlow(server.url), app, user);
      const adminToken = await signIn(server, ADMIN.username, ADMIN.password);
      const admin = (action: string, body?: Record<string, unknown>) =>
        apiRequest(server.url, 'POST', `/api/admin/clients/${app.id}/${action}`, adminToken, body);
      expect((await admin('suspend', { reason: 'review' })).status).toBe(200);
      expect((await admin('reinstate')).status).toBe(200);
      await expectRefused(app, got);
    });

    it('dies unredeemed when the user withdraws consent from the client', async () => {
      const third = await registerBrowserClient(server, { redirectUris: [REDIRECT] });
      const person = await createUser(server);
      const got = await obtainCode(new BrowserFlow(server.url), third, person);
      const own = await signIn(server, person.username, person.password);
      const withdrawn = await apiRequest(
        server.url,
        'DELETE',
        `/api/users/me/consents/${third.clientId}`,
        own,
      );
      expect(withdrawn.status).toBe(204);
      await expectRefused(third, got);
    });

    it('ends the grant when consent is withdrawn while the code is being redeemed', async () => {
      const third = await registerBrowserClient(server, { redirectUris: [REDIRECT] });
      const person = await createUser(server);
      const got = await obtainCode(new BrowserFlow(server.url), third, person);
      // The withdrawal's first step, its mark, alone: its sweep of the codes and
      // grants is what this redemption raced past.
      expect(await server.get(ConsentStore).withdraw(person.id, third.id)).toBe(true);
      await expectRefused(third, got);
      const grants = await server.dataSource.query<Array<{ revoked_reason: string | null }>>(
        'SELECT revoked_reason FROM refresh_token_families WHERE user_id = ?',
        [person.id],
      );
      expect(grants).toEqual([{ revoked_reason: 'consent_withdrawn' }]);

      // The next authorization (consent asked for and given again) gets a code that works.
      const again = await obtainCode(new BrowserFlow(server.url), third, person);
      const fresh = await exchangeCode(server.url, third, {
        code: again.callback.code!,
        redirectUri: REDIRECT,
        verifier: again.verifier,
      });
      expect(fresh.status).toBe(200);
    });

    it('works on /api/users/me when the client is first-party', async () => {
      const { code: c, verifier } = await code();
      const tokens = await exchangeCode(server.url, fresh, {
        code: c,
        redirectUri: REDIRECT,
        verifier,
      });
      expect(tokens.status).toBe(200);
      const me = await apiRequest(
        server.url,
        'GET',
        '/api/users/me',
        tokens.body.access_token as string,
      );
      expect(me.status).toBe(200);
      expect(me.body.username).toBe(user.username);
    });

    it('expires', async () => {
      const { code: c, verifier } = await code();
      await server.dataSource.query(
        `UPDATE authorization_codes SET expires_at = ? WHERE consumed_at IS NULL`,
        [sqlTime(new Date(Date.now() - 1000))],
      );
      const res = await exchangeCode(server.url, fresh, {
        code: c,
        redirectUri: REDIRECT,
        verifier,
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
    });

    it('needs the right PKCE verifier (RFC 7636 §4.6): wrong, missing, the challenge itself', async () => {
      const { code: c, verifier } = await code();
      const { challenge } = pkcePair();
      for (const attempt of [pkcePair().verifier, undefined, challenge, 'a'.repeat(42)]) {
        const res = await exchangeCode(server.url, fresh, {
          code: c,
          redirectUri: REDIRECT,
          verifier: attempt,
        });
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('invalid_grant');
      }
      // Those failures did not burn the code for its rightful holder.
      const ok = await exchangeCode(server.url, fresh, {
        code: c,
        redirectUri: REDIRECT,
        verifier,
      });
      expect(ok.status).toBe(200);
    });

    it('is bound to the client and to the redirect URI', async () => {
      const { code: c, verifier } = await code();
      const other = await registerBrowserClient(server, { redirectUris: [REDIRECT] });
      const stolen = await exchangeCode(server.url, other, {
        code: c,
        redirectUri: REDIRECT,
        verifier,
      });
      expect(stolen.status).toBe(400);
      expect(stolen.body.error).toBe('invalid_grant');
      for (const redirectUri of [
        'http://127.0.0.1:8080/cb',
        `${REDIRECT}/`,
        `${REDIRECT} `,
        undefined,
      ]) {
        const res = await exchangeCode(server.url, fresh, { code: c, redirectUri, verifier });
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('invalid_grant');
      }
      const ok = await exchangeCode(server.url, fresh, {
        code: c,
        redirectUri: REDIRECT,
        verifier,
      });
      expect(ok.status).toBe(200);
    });

    it('is refused to a client not allowed authorization_code (unauthorized_client)', async () => {
      const { code: c, verifier } = await code();
      const res = await postForm(
        `${server.url}/oauth/token`,
        {
          grant_type: 'authorization_code',
          code: c,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        },
        {
          authorization:
            'Basic ' +
            Buffer.from('console:console-secret-for-tests-0123456789').toString('base64'),
        },
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('unauthorized_client');
    });
  });

  it('sweeps abandoned interactions, old codes and old sessions (housekeeping)', async () => {
    const browser = new BrowserFlow(server.url);
    await browser.authorize(authorizationParams(client, pkcePair().challenge));
    const count = async (table: string) =>
      Number(
        (
          await server.dataSource.query<Array<{ n: number | string }>>(
            `SELECT COUNT(*) AS n FROM ${table}`,
          )
        )[0].n,
      );
    const before = {
      interactions: await count('authorization_interactions'),
      codes: await count('authorization_codes'),
      sessions: await count('browser_sessions'),
    };
    expect(before.interactions).toBeGreaterThan(0);
    expect(before.codes).toBeGreaterThan(0);
    expect(before.sessions).toBeGreaterThan(0);

    // Now: nothing live is touched.
    await server.get(BrowserFlowHousekeeping).sweep(new Date());
    expect(await count('authorization_codes')).toBe(before.codes);
    expect(await count('browser_sessions')).toBe(before.sessions);
    const uid = new URL(browser.last.location!).pathname.split('/').pop()!;
    expect((await browser.follow()).status).toBe(200);

    // Two days from now: every row of this test server has died.
    await server.get(BrowserFlowHousekeeping).sweep(new Date(Date.now() + 2 * 86_400_000));
    expect(await count('authorization_interactions')).toBe(0);
    expect(await count('authorization_codes')).toBe(0);
    expect(await count('browser_sessions')).toBe(0);
    expect((await browser.get(`/interaction/${uid}`)).status).toBe(400);
  });

  describe('the pages', () => {
    it('refuse a missing or wrong CSRF token with 403, and nothing changes', async () => {
      const browser = new BrowserFlow(server.url);
      await browser.authorize(authorizationParams(client, pkcePair().challenge));
      const page = await browser.follow();
      for (const csrf of [undefined, 'x'.repeat(43), `${csrfOf(page.body)}x`]) {
        const res = await browser.post(`/interaction/${browser.interactionUid()}/login`, [
          ['username', user.username],
          ['password', user.password],
          ...(csrf !== undefined ? ([['csrf', csrf]] as Array<[string, string]>) : []),
        ]);
        expect(res.status).toBe(403);
        expect(browser.jar.get('tessera_session')).toBeUndefined();
        browser.last = page;
      }
      // The interaction is still usable with the right token.
      const ok = await browser.submitLogin(user.username, user.password);
      expect(ok.status).toBe(303);
    });

    it('refuse the interaction in another browser (no interaction cookie)', async () => {
      const browser = new BrowserFlow(server.url);
      await browser.authorize(authorizationParams(client, pkcePair().challenge));
      const page = await browser.follow();
      const thief = new BrowserFlow(server.url);
      const seen = await thief.get(new URL(browser.last.url).pathname);
      expect(seen.status).toBe(403);
      thief.last = page;
      const res = await thief.submitLogin(user.username, user.password);
      expect(res.status).toBe(403);
      expect(thief.jar.get('tessera_session')).toBeUndefined();
    });

    it('show a failed login on the page, with the password grant message', async () => {
      const browser = new BrowserFlow(server.url);
      await browser.authorize(authorizationParams(client, pkcePair().challenge));
      await browser.follow();
      const wrong = await browser.submitLogin(user.username, 'wrong-password-123');
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatch(BAD_CREDENTIALS_TEXT);
      expect(wrong.body).toContain(user.username);
      expect(browser.jar.get('tessera_session')).toBeUndefined();
      const unknown = await browser.submitLogin('nobody-here', 'wrong-password-123');
      expect(unknown.status).toBe(401);
      expect(unknown.body).toMatch(BAD_CREDENTIALS_TEXT);
      const ok = await browser.submitLogin(user.username, user.password);
      expect(ok.status).toBe(303);
    });

    it('finish an interaction once only', async () => {
      const browser = new BrowserFlow(server.url);
      await browser.authorize(
        authorizationParams(client, pkcePair().challenge, { prompt: 'consent' }),
      );
      await browser.follow();
      await browser.submitLogin(user.username, user.password);
      const consent = await browser.follow();
      // The consent form needs its CSRF token too; a refusal changes nothing.
      const forged = await browser.submitConsent('allow', { csrf: 'forged' });
      expect(forged.status).toBe(403);
      expect(forged.location).toBeUndefined();
      browser.last = consent;
      const first = await browser.submitConsent('allow');
      expect(first.status).toBe(303);
      expect(browser.callback().code).toBeDefined();
      browser.last = consent;
      const again = await browser.submitConsent('allow');
      expect(again.status).toBe(400);
      expect(again.location).toBeUndefined();
    });
  });
});
