import { AccountsService } from '../apps/identity-server/src/accounts/accounts.service';
import { AuditService } from '../apps/identity-server/src/audit/audit.service';
import { SessionService } from '../apps/identity-server/src/sessions/session.service';
import {
  authorizationParams,
  BAD_CREDENTIALS_TEXT,
  isConsentPage,
  isLoginPage,
  BrowserClient,
  BrowserFlow,
  exchangeCode,
  obtainCode,
  pkcePair,
  registerBrowserClient,
} from './support/browser-flow';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { createUser, introspect, signIn, sqlTime } from './support/fixtures';
import { apiRequest, decodeJwt, tokenRequest } from './support/http';
import { ADMIN, CONSOLE, startServer, TestServer } from './support/test-server';

const REDIRECT = 'https://app.example.com/callback';

/** `/logout` with these query parameters. */
function logoutPath(params: Record<string, string> | Array<[string, string]>): string {
  return `/logout?${new URLSearchParams(params).toString()}`;
}

/**
 * Single sign-on (issue 6): one browser session serves several clients;
 * `prompt` and `max_age` (OIDC Core §3.1.2.1); logout; a disabled user's
 * sessions; the lockout through the login page; consent remembered and
 * withdrawn.
 */
describe.each(DATABASES)('single sign-on and consent on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;
  let appA: BrowserClient;
  let appB: BrowserClient;
  let portal: BrowserClient;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url, {
      LOGIN_MAX_FAILED_ATTEMPTS: '3',
      LOGIN_LOCKOUT_SECONDS: '600',
    });
    appA = await registerBrowserClient(server, {
      name: 'App A',
      redirectUris: [REDIRECT],
      refreshTokens: true,
    });
    appB = await registerBrowserClient(server, {
      name: 'App B',
      redirectUris: ['https://b.example.com/cb'],
      scope: 'orders:read orders:write',
    });
    portal = await registerBrowserClient(server, {
      name: 'Portal',
      redirectUris: ['https://portal.example.com/cb'],
      firstParty: true,
    });
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  /** A user signed in to App A (consented) in a fresh browser. */
  async function signedIn() {
    const user = await createUser(server);
    const browser = new BrowserFlow(server.url);
    const { callback } = await obtainCode(browser, appA, user);
    expect(callback.code).toBeDefined();
    return { user, browser };
  }

  async function sessionRows(userId: string) {
    return server.dataSource.query<
      Array<{ id: string; ended_at: string | null; ended_reason: string | null }>
    >('SELECT id, ended_at, ended_reason FROM browser_sessions WHERE user_id = ?', [userId]);
  }

  it('signs in to a second client without the password; a third-party one still asks consent', async () => {
    const { user, browser } = await signedIn();
    const cookie = browser.jar.get('tessera_session')!.value;
    // The session id stored is a hash, never the cookie value.
    const rows = await sessionRows(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].id).not.toBe(cookie);
    expect(rows[0].id).toMatch(/^[0-9a-f]{64}$/);

    const { verifier, challenge } = pkcePair();
    const params = authorizationParams(appB, challenge);
    expect((await browser.authorize(params)).status).toBe(303);
    const page = await browser.follow();
    expect(isLoginPage(page.body)).toBe(false);
    expect(isConsentPage(page.body)).toBe(true);
    expect(page.body).toContain('App B');
    await browser.submitConsent('allow');
    const callback = browser.callback();
    expect(callback).toMatchObject({ target: 'https://b.example.com/cb', state: params.state });
    const tokens = await exchangeCode(server.url, appB, {
      code: callback.code!,
      redirectUri: 'https://b.example.com/cb',
      verifier,
    });
    expect(tokens.status).toBe(200);
    expect(decodeJwt(tokens.body.access_token as string).payload.sub).toBe(user.id);

    // A first-party client: no page at all, straight back with a code.
    const direct = await browser.authorize(authorizationParams(portal, pkcePair().challenge));
    expect(direct.status).toBe(302);
    expect(browser.callback().code).toBeDefined();

    // Consent is remembered per client: App A again goes straight back too.
    const again = await browser.authorize(authorizationParams(appA, pkcePair().challenge));
    expect(again.status).toBe(302);
    expect(browser.callback().code).toBeDefined();
  });

  it('shares sessions between server processes (they live in the database)', async () => {
    const { browser } = await signedIn();
    const second = await startServer(db.url);
    try {
      const elsewhere = new BrowserFlow(second.url);
      elsewhere.jar.set('tessera_session', browser.jar.get('tessera_session')!.value);
      await elsewhere.authorize(
        authorizationParams(appA, pkcePair().challenge, { prompt: 'none' }),
      );
      expect(elsewhere.last.status).toBe(302);
      expect(elsewhere.callback().code).toBeDefined();
    } finally {
      await second.close();
    }
  });

  it('keeps the bare cookie names, without Secure, when the issuer is http (development)', async () => {
    const user = await createUser(server);
    const browser = new BrowserFlow(server.url);
    const start = await browser.authorize(authorizationParams(portal, pkcePair().challenge));
    const interaction = start.headers.getSetCookie();
    expect(interaction).toHaveLength(1);
    expect(interaction[0]).toMatch(/^tessera_interaction=[^;]+;/);
    expect(interaction[0]).not.toMatch(/; Secure/i);
    await browser.follow();
    const login = await browser.submitLogin(user.username, user.password);
    const session = login.headers.getSetCookie();
    expect(session).toHaveLength(1);
    expect(session[0]).toMatch(/^tessera_session=[^;]+;/);
    expect(session[0]).not.toMatch(/; Secure/i);
    expect(browser.callback().code).toBeDefined();
  });

  /**
   * RFC 6265bis §4.1.3 prefixes with an https issuer: a sibling subdomain (or
   * a network attacker on a plain-http one) cannot plant a `__Host-` cookie,
   * so a session of the attacker's choosing is never read (RFC 9700 §4.4).
   */
  describe('with an https issuer', () => {
    let secure: TestServer;

    beforeAll(async () => {
      secure = await startServer(db.url, { ISSUER_URL: 'https://id.example.com' });
    });
    afterAll(async () => {
      await secure?.close();
    });

    /** Signs `user` in to the first-party portal in `browser`; returns the last answer's cookies. */
    async function signInToPortal(
      browser: BrowserFlow,
      user: { username: string; password: string },
    ): Promise<{ interaction: string[]; session: string[] }> {
      const start = await browser.authorize(authorizationParams(portal, pkcePair().challenge));
      expect(start.status).toBe(303);
      const interaction = new URL(start.location!);
      expect(interaction.origin).toBe('https://id.example.com');
      const page = await browser.get(interaction.pathname);
      expect(isLoginPage(page.body)).toBe(true);
      const login = await browser.submitLogin(user.username, user.password);
      expect(browser.callback().code).toBeDefined();
      return { interaction: start.headers.getSetCookie(), session: login.headers.getSetCookie() };
    }

    it('names the session cookie __Host- and the interaction cookie __Secure-, both Secure', async () => {
      const user = await createUser(server);
      const browser = new BrowserFlow(secure.url);
      const { interaction, session } = await signInToPortal(browser, user);

      expect(interaction).toHaveLength(1);
      const uid = browser.interactionUid();
      expect(interaction[0]).toMatch(/^__Secure-tessera_interaction=[^;]+;/);
      expect(interaction[0]).toMatch(new RegExp(`; Path=/interaction/${uid}(;|$)`, 'i'));
      expect(interaction[0]).toMatch(/; Secure/i);
      expect(interaction[0]).toMatch(/; HttpOnly/i);
      expect(interaction[0]).not.toMatch(/; Domain=/i);

      expect(session).toHaveLength(1);
      expect(session[0]).toMatch(/^__Host-tessera_session=[^;]+;/);
      expect(session[0]).toMatch(/; Path=\/(;|$)/i);
      expect(session[0]).toMatch(/; Secure/i);
      expect(session[0]).toMatch(/; HttpOnly/i);
      expect(session[0]).toMatch(/; SameSite=Lax/i);
      expect(session[0]).not.toMatch(/; Domain=/i);
      // The jar, like a browser, kept both: they obey their prefixes' rules.
      expect(browser.jar.get('__Host-tessera_session')).toBeDefined();
      expect(browser.jar.get('__Secure-tessera_interaction')).toBeDefined();

      // The prefixed cookie is the one read: single sign-on, then logout clears it.
      await browser.authorize(
        authorizationParams(portal, pkcePair().challenge, { prompt: 'none' }),
      );
      expect(browser.callback().code).toBeDefined();
      const done = await browser.logout();
      expect(done.status).toBe(200);
      const cleared = done.headers.getSetCookie();
      expect(cleared).toHaveLength(1);
      expect(cleared[0]).toMatch(/^__Host-tessera_session=;.*; Secure/i);
      expect(browser.jar.get('__Host-tessera_session')).toBeUndefined();
    });

    it('ignores a planted unprefixed tessera_session naming a live session', async () => {
      const attacker = await createUser(server);
      const theirs = new BrowserFlow(secure.url);
      await signInToPortal(theirs, attacker);
      const planted = theirs.jar.get('__Host-tessera_session')!.value;

      // Control: under its own name the value is a live session.
      const control = new BrowserFlow(secure.url);
      control.jar.set('__Host-tessera_session', planted);
      await control.authorize(
        authorizationParams(portal, pkcePair().challenge, { prompt: 'none' }),
      );
      expect(control.callback().code).toBeDefined();

      // Planted as a sibling subdomain would (Domain=.example.com): the more specific path first.
      const victim = new BrowserFlow(secure.url);
      victim.jar.set('tessera_session', planted, '/oauth');
      victim.jar.set('tessera_session', planted, '/');
      await victim.authorize(authorizationParams(portal, pkcePair().challenge, { prompt: 'none' }));
      expect(victim.callback().error).toBe('login_required');
      const logout = await victim.get('/logout');
      expect(logout.body).not.toContain(attacker.username);
      expect(logout.body).not.toMatch(/name="?csrf/);

      // The victim signs in as themselves; the unprefixed cookie is expired on the way.
      const user = await createUser(server);
      const { verifier, challenge } = pkcePair();
      const start = await victim.authorize(authorizationParams(portal, challenge));
      const page = await victim.get(new URL(start.location!).pathname);
      expect(isLoginPage(page.body)).toBe(true);
      const login = await victim.submitLogin(user.username, user.password);
      const cookies = login.headers.getSetCookie();
      expect(cookies).toHaveLength(2);
      expect(cookies[0]).toMatch(/^__Host-tessera_session=[^;]+;/);
      expect(cookies[1]).toMatch(/^tessera_session=; Path=\/;/i);
      expect(cookies[1]).toMatch(/; Expires=Thu, 01 Jan 1970/i);
      expect(victim.jar.get('tessera_session')?.path).toBe('/oauth');
      const tokens = await exchangeCode(secure.url, portal, {
        code: victim.callback().code!,
        redirectUri: portal.redirectUris[0],
        verifier,
      });
      expect(tokens.status).toBe(200);
      expect(decodeJwt(tokens.body.access_token as string).payload.sub).toBe(user.id);
    });

    it('ignores an unprefixed tessera_interaction cookie', async () => {
      const starter = new BrowserFlow(secure.url);
      const start = await starter.authorize(authorizationParams(portal, pkcePair().challenge));
      const path = new URL(start.location!).pathname;
      const binding = starter.jar.get('__Secure-tessera_interaction')!.value;

      const planted = new BrowserFlow(secure.url);
      planted.jar.set('tessera_interaction', binding, path);
      expect((await planted.get(path)).status).toBe(403);
      expect((await starter.get(path)).status).toBe(200);
    });
  });

  it('asks consent again for scopes not consented yet', async () => {
    const user = await createUser(server);
    const browser = new BrowserFlow(server.url);
    await obtainCode(browser, appB, user, { scope: 'orders:read' });
    await browser.authorize(
      authorizationParams(appB, pkcePair().challenge, { scope: 'orders:read' }),
    );
    expect(browser.last.status).toBe(302);
    await browser.authorize(
      authorizationParams(appB, pkcePair().challenge, { scope: 'orders:read orders:write' }),
    );
    expect(browser.last.status).toBe(303);
    expect(isConsentPage((await browser.follow()).body)).toBe(true);
  });

  it('ends a session started while a password change swept the account’s sessions: the login page says no', async () => {
    const user = await createUser(server);
    const sessions = server.get(SessionService);
    const start = sessions.start.bind(sessions);
    // The change lands after the password matched and before the session exists.
    const spy = jest.spyOn(sessions, 'start').mockImplementationOnce(async (...args) => {
      await server
        .get(AccountsService)
        .changePassword(user.id, user.password, `${user.password}-new`);
      return start(...args);
    });
    try {
      const browser = new BrowserFlow(server.url);
      await browser.authorize(authorizationParams(appA, pkcePair().challenge));
      await browser.followAll();
      const page = await browser.submitLogin(user.username, user.password);
      expect(page.status).toBe(401);
      expect(page.body).toMatch(BAD_CREDENTIALS_TEXT);
      expect(browser.jar.get('tessera_session')).toBeUndefined();
      const rows = await sessionRows(user.id);
      expect(rows).toHaveLength(1);
      expect(rows[0].ended_reason).toBe('password_changed');
    } finally {
      spy.mockRestore();
    }
  });

  it('prompt=login asks for the password again and starts a new session', async () => {
    const { user, browser } = await signedIn();
    const before = browser.jar.get('tessera_session')!.value;
    await browser.authorize(authorizationParams(appA, pkcePair().challenge, { prompt: 'login' }));
    expect(browser.last.status).toBe(303);
    expect(isLoginPage((await browser.follow()).body)).toBe(true);
    await browser.submitLogin(user.username, user.password);
    expect(browser.callback().code).toBeDefined();
    const after = browser.jar.get('tessera_session')!.value;
    expect(after).not.toBe(before);
    const rows = await sessionRows(user.id);
    expect(rows.filter((row) => row.ended_at === null)).toHaveLength(1);
    expect(rows.find((row) => row.ended_at !== null)?.ended_reason).toBe('replaced');
  });

  it('prompt=none answers without a page: login_required, consent_required, or a code', async () => {
    const { browser } = await signedIn();
    const stranger = new BrowserFlow(server.url);
    await stranger.authorize(
      authorizationParams(appA, pkcePair().challenge, { prompt: 'none', state: 's1' }),
    );
    expect(stranger.last.status).toBe(302);
    expect(stranger.callback()).toMatchObject({ error: 'login_required', state: 's1' });

    await browser.authorize(
      authorizationParams(appB, pkcePair().challenge, { prompt: 'none', state: 's2' }),
    );
    expect(browser.last.status).toBe(302);
    expect(browser.callback()).toMatchObject({
      error: 'consent_required',
      state: 's2',
      iss: server.config.issuer,
    });

    await browser.authorize(
      authorizationParams(appA, pkcePair().challenge, { prompt: 'none', state: 's3' }),
    );
    expect(browser.last.status).toBe(302);
    const ok = browser.callback();
    expect(ok.error).toBeUndefined();
    expect(ok.code).toBeDefined();
    expect(ok.state).toBe('s3');
  });

  it('prompt=consent shows the consent page again', async () => {
    const { browser } = await signedIn();
    await browser.authorize(authorizationParams(appA, pkcePair().challenge, { prompt: 'consent' }));
    expect(isConsentPage((await browser.follow()).body)).toBe(true);
  });

  it('honours max_age: an older sign-in asks for the password, max_age=0 always does', async () => {
    const { user, browser } = await signedIn();
    await server.dataSource.query('UPDATE browser_sessions SET auth_time = ? WHERE user_id = ?', [
      sqlTime(new Date(Date.now() - 120_000)),
      user.id,
    ]);
    await browser.authorize(authorizationParams(appA, pkcePair().challenge, { max_age: '3600' }));
    expect(browser.last.status).toBe(302);
    expect(browser.callback().code).toBeDefined();

    await browser.authorize(authorizationParams(appA, pkcePair().challenge, { max_age: '60' }));
    expect(browser.last.status).toBe(303);
    expect(isLoginPage((await browser.follow()).body)).toBe(true);

    const fresh = await signedIn();
    await fresh.browser.authorize(
      authorizationParams(appA, pkcePair().challenge, { max_age: '0' }),
    );
    expect(fresh.browser.last.status).toBe(303);
    expect(isLoginPage((await fresh.browser.follow()).body)).toBe(true);

    // prompt=none with max_age exceeded: login_required, no page.
    await browser.authorize(
      authorizationParams(appA, pkcePair().challenge, { max_age: '60', prompt: 'none' }),
    );
    expect(browser.callback().error).toBe('login_required');
  });

  it('the auth_time of the tokens is the sign-in, not the code', async () => {
    const { user, browser } = await signedIn();
    const { verifier, callback } = await obtainCode(browser, appA, user);
    const tokens = await exchangeCode(server.url, appA, {
      code: callback.code!,
      redirectUri: REDIRECT,
      verifier,
    });
    const [row] = await server.dataSource.query<Array<{ auth_time: string | Date }>>(
      'SELECT auth_time FROM browser_sessions WHERE user_id = ? AND ended_at IS NULL',
      [user.id],
    );
    const authTime = new Date(
      row.auth_time instanceof Date ? row.auth_time : `${row.auth_time.replace(' ', 'T')}Z`,
    );
    expect(decodeJwt(tokens.body.access_token as string).payload.auth_time).toBe(
      Math.floor(authTime.getTime() / 1000),
    );
  });

  it('ends a session at its idle timeout', async () => {
    const { user, browser } = await signedIn();
    await server.dataSource.query(
      'UPDATE browser_sessions SET last_seen_at = ? WHERE user_id = ?',
      [sqlTime(new Date(Date.now() - 1801_000)), user.id],
    );
    await browser.authorize(authorizationParams(appA, pkcePair().challenge));
    expect(isLoginPage((await browser.follow()).body)).toBe(true);
  });

  it('ends a session at its absolute lifetime', async () => {
    const { user, browser } = await signedIn();
    await server.dataSource.query('UPDATE browser_sessions SET expires_at = ? WHERE user_id = ?', [
      sqlTime(new Date(Date.now() - 1000)),
      user.id,
    ]);
    await browser.authorize(authorizationParams(appA, pkcePair().challenge));
    expect(isLoginPage((await browser.follow()).body)).toBe(true);
  });

  describe('logout', () => {
    it('asks to confirm, needs the CSRF token, ends the session and says so', async () => {
      const { user, browser } = await signedIn();
      const confirm = await browser.get('/logout');
      expect(confirm.status).toBe(200);
      expect(confirm.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(confirm.body).toMatch(/name="?csrf/);

      for (const csrf of [[], [['csrf', 'forged-token-value-that-is-43-characters-xx']]]) {
        const refused = await browser.post('/logout', csrf as Array<[string, string]>);
        expect(refused.status).toBe(403);
        expect((await sessionRows(user.id)).every((row) => row.ended_at === null)).toBe(true);
      }
      // A forged cross-site POST from another browser changes nothing either.
      const other = new BrowserFlow(server.url);
      expect((await other.post('/logout', [])).status).toBe(200);
      expect((await sessionRows(user.id)).every((row) => row.ended_at === null)).toBe(true);

      const done = await browser.logout();
      expect(done.status).toBe(200);
      expect(done.headers.getSetCookie().join('\n')).toMatch(/tessera_session=;/);
      expect(browser.jar.get('tessera_session')).toBeUndefined();
      const rows = await sessionRows(user.id);
      expect(rows[0].ended_at).not.toBeNull();
      expect(rows[0].ended_reason).toBe('logout');
      const ended = await server.get(AuditService).recent('session.ended');
      expect(ended.some((e) => e.subjectId === user.id)).toBe(true);

      await browser.authorize(authorizationParams(appA, pkcePair().challenge));
      expect(isLoginPage((await browser.follow()).body)).toBe(true);
    });

    it('keeps the old cookie useless after logout (ended server side)', async () => {
      const { browser } = await signedIn();
      const cookie = browser.jar.get('tessera_session')!.value;
      await browser.logout();
      const replay = new BrowserFlow(server.url);
      replay.jar.set('tessera_session', cookie);
      await replay.authorize(authorizationParams(appA, pkcePair().challenge, { prompt: 'none' }));
      expect(replay.callback().error).toBe('login_required');
    });

    it('returns to the application after RP-initiated logout (OIDC RP-Initiated Logout 1.0)', async () => {
      const { user, browser } = await signedIn();
      const done = await browser.logout({
        client_id: appA.clientId,
        post_logout_redirect_uri: REDIRECT,
        state: 'bye 1',
      });
      expect(done.status).toBe(303);
      const back = new URL(done.location!);
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
      expect(back.searchParams.get('state')).toBe('bye 1');
      expect((await sessionRows(user.id))[0].ended_reason).toBe('logout');

      // Without a session there is nothing to confirm: straight back.
      const again = await browser.get(
        logoutPath({ client_id: appA.clientId, post_logout_redirect_uri: REDIRECT }),
      );
      expect(again.status).toBe(303);
      expect(again.location).toBe(REDIRECT);
    });

    it("lets the confirmation form's redirect reach the application (CSP form-action)", async () => {
      const { browser } = await signedIn();
      // Chromium applies form-action to the redirect that follows the POST.
      const confirm = await browser.get(
        logoutPath({ client_id: appA.clientId, post_logout_redirect_uri: REDIRECT }),
      );
      expect(confirm.status).toBe(200);
      const csp = confirm.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(new RegExp(`form-action 'self' ${new URL(REDIRECT).origin}(;|$)`));
      const plain = await browser.get('/logout');
      expect(plain.headers.get('content-security-policy')).toMatch(/form-action 'self';/);
    });

    it('finds the client from an id_token_hint', async () => {
      const oidc = await registerBrowserClient(server, {
        redirectUris: ['https://oidc.example.com/cb', 'https://oidc.example.com/bye'],
        scope: 'openid',
        firstParty: true,
      });
      const user = await createUser(server);
      const browser = new BrowserFlow(server.url);
      const { verifier, callback } = await obtainCode(browser, oidc, user);
      const tokens = await exchangeCode(server.url, oidc, {
        code: callback.code!,
        redirectUri: 'https://oidc.example.com/cb',
        verifier,
      });
      const hint = tokens.body.id_token as string;
      expect(typeof hint).toBe('string');

      const mismatch = await browser.get(
        logoutPath({
          id_token_hint: hint,
          client_id: appA.clientId,
          post_logout_redirect_uri: REDIRECT,
        }),
      );
      expect(mismatch.status).toBe(400);
      expect(mismatch.location).toBeUndefined();

      const done = await browser.logout({
        id_token_hint: hint,
        post_logout_redirect_uri: 'https://oidc.example.com/bye',
      });
      expect(done.status).toBe(303);
      expect(done.location).toBe('https://oidc.example.com/bye');
    });

    it.each([
      ['an unregistered address', { post_logout_redirect_uri: 'https://evil.example/' }],
      ['no client named', { post_logout_redirect_uri: REDIRECT, client_id: undefined }],
      [
        'a forged id_token_hint',
        { post_logout_redirect_uri: REDIRECT, client_id: undefined, id_token_hint: 'a.b.c' },
      ],
    ])('never redirects to %s', async (_name, overrides) => {
      const { user, browser } = await signedIn();
      const params = Object.entries({ client_id: appA.clientId, ...overrides }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      );
      const res = await browser.get(logoutPath(params));
      expect(res.status).toBe(400);
      expect(res.location).toBeUndefined();
      const post = await browser.post(logoutPath(params), []);
      expect(post.status).toBe(400);
      expect(post.location).toBeUndefined();
      expect((await sessionRows(user.id))[0].ended_at).toBeNull();
    });

    it('refuses a repeated parameter without echoing a name the link chose', async () => {
      const { user, browser } = await signedIn();
      const known = await browser.get(
        logoutPath([
          ['client_id', appA.clientId],
          ['client_id', appA.clientId],
          ['post_logout_redirect_uri', REDIRECT],
        ]),
      );
      expect(known.status).toBe(400);
      expect(known.body).toMatch(/parameter client_id is repeated/i);
      const chosen = await browser.get(
        logoutPath([
          ['Call_0800_SUPPORT', '1'],
          ['Call_0800_SUPPORT', '2'],
        ]),
      );
      expect(chosen.status).toBe(400);
      expect(chosen.location).toBeUndefined();
      expect(chosen.body).not.toContain('Call_0800_SUPPORT');
      expect((await sessionRows(user.id))[0].ended_at).toBeNull();
    });

    it('says "signed out" without a session', async () => {
      const browser = new BrowserFlow(server.url);
      const page = await browser.get('/logout');
      expect(page.status).toBe(200);
      expect(page.body).not.toMatch(/name="?csrf/);
    });
  });

  it("ends a disabled user's sessions at once", async () => {
    const { user, browser } = await signedIn();
    const adminToken = await signIn(server, ADMIN.username, ADMIN.password);
    const disabled = await apiRequest(
      server.url,
      'PATCH',
      `/api/users/${user.id}/status`,
      adminToken,
      { status: 'disabled' },
    );
    expect(disabled.status).toBe(200);
    const rows = await sessionRows(user.id);
    expect(rows[0].ended_at).not.toBeNull();
    expect(rows[0].ended_reason).toBe('user_disabled');
    await browser.authorize(authorizationParams(appA, pkcePair().challenge, { prompt: 'none' }));
    expect(browser.callback().error).toBe('login_required');
  });

  it('a disabled user whose session was missed by the event is still refused', async () => {
    const { user, browser } = await signedIn();
    // Only the column, as another process's write would look: no event reaches this one.
    await server.dataSource.query(`UPDATE users SET status = 'disabled' WHERE id = ?`, [user.id]);
    await browser.authorize(authorizationParams(appA, pkcePair().challenge, { prompt: 'none' }));
    expect(browser.callback().error).toBe('login_required');
  });

  it('applies the password lockout on the login page, with the same message', async () => {
    const user = await createUser(server);
    const browser = new BrowserFlow(server.url);
    await browser.authorize(authorizationParams(appA, pkcePair().challenge));
    await browser.follow();
    for (let attempt = 0; attempt < 3; attempt++) {
      const wrong = await browser.submitLogin(user.username, `wrong-${attempt}-password`);
      expect(wrong.status).toBe(401);
    }
    const right = await browser.submitLogin(user.username, user.password);
    expect(right.status).toBe(401);
    expect(right.body).toMatch(BAD_CREDENTIALS_TEXT);
    expect(browser.jar.get('tessera_session')).toBeUndefined();
    // The same account is locked for the password grant too: one lockout.
    const grant = await tokenRequest(server.url, CONSOLE, {
      grant_type: 'password',
      username: user.username,
      password: user.password,
    });
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe('invalid_grant');
    const locked = await server.get(AuditService).recent('user.locked');
    expect(locked.some((e) => e.subjectId === user.id)).toBe(true);
  });

  describe('consent withdrawal', () => {
    it('lists consents, withdraws one (204), revokes its grants, and asks again', async () => {
      const user = await createUser(server);
      const browser = new BrowserFlow(server.url);
      const { verifier, callback } = await obtainCode(browser, appA, user);
      const tokens = await exchangeCode(server.url, appA, {
        code: callback.code!,
        redirectUri: REDIRECT,
        verifier,
      });
      expect(tokens.status).toBe(200);

      const own = await signIn(server, user.username, user.password);
      const listed = await apiRequest(server.url, 'GET', '/api/users/me/consents', own);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([
        expect.objectContaining({
          client_id: appA.clientId,
          client_name: 'App A',
          scope: 'orders:read',
        }),
      ]);

      const withdrawn = await apiRequest(
        server.url,
        'DELETE',
        `/api/users/me/consents/${appA.clientId}`,
        own,
      );
      expect(withdrawn.status).toBe(204);
      expect((await apiRequest(server.url, 'GET', '/api/users/me/consents', own)).body).toEqual([]);
      const again = await apiRequest(
        server.url,
        'DELETE',
        `/api/users/me/consents/${appA.clientId}`,
        own,
      );
      expect(again.status).toBe(404);

      const introspected = await introspect(server, tokens.body.access_token as string, {
        as: appA,
      });
      expect(introspected.body).toEqual({ active: false });
      const refreshed = await tokenRequest(server.url, appA, {
        grant_type: 'refresh_token',
        refresh_token: tokens.body.refresh_token as string,
      });
      expect(refreshed.body.error).toBe('invalid_grant');

      await browser.authorize(authorizationParams(appA, pkcePair().challenge));
      expect(browser.last.status).toBe(303);
      expect(isConsentPage((await browser.follow()).body)).toBe(true);
      const audit = await server.get(AuditService).recent('consent.withdrawn');
      expect(audit.some((e) => e.subjectId === user.id)).toBe(true);
    });

    it('needs a bearer token', async () => {
      const res = await apiRequest(server.url, 'GET', '/api/users/me/consents');
      expect(res.status).toBe(401);
    });
  });
});
