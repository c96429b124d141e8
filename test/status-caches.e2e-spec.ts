import { setTimeout as sleep } from 'node:timers/promises';
import {
  authorizationParams,
  BrowserFlow,
  obtainCode,
  pkcePair,
  registerBrowserClient,
} from './support/browser-flow';
import { DATABASES } from './support/databases';
import {
  createClient,
  createUser,
  introspect,
  passwordTokens,
  revoke,
  signIn,
  TestClient,
} from './support/fixtures';
import { apiRequest, decodeJwt, HttpResult, tokenRequest } from './support/http';
import { ADMIN, CONSOLE, startServerOnNewDatabase, TestServer } from './support/test-server';

/** The lifetime of the short-lived server's caches; the wait after a change adds a margin. */
const SHORT_TTL_MS = 2000;
const MARGIN_MS = 600;

/**
 * The status caches (docs/performance.md, "Status caches"): a change made
 * through Tessera is seen at once, because the writer invalidates; a change
 * made behind its back (here: SQL on its database, as another process or an
 * operator would) is seen within STATUS_CACHE_TTL_MS; with 0 there is no cache.
 */
describe.each(DATABASES)('status caches on %s', (kind) => {
  /** Caches that would hold an entry for a minute: only invalidation can explain a change seen at once. */
  let live: TestServer;
  let short: TestServer;
  let off: TestServer;

  beforeAll(async () => {
    live = await startServerOnNewDatabase(kind, { STATUS_CACHE_TTL_MS: '60000' });
    short = await startServerOnNewDatabase(kind, { STATUS_CACHE_TTL_MS: String(SHORT_TTL_MS) });
    off = await startServerOnNewDatabase(kind, { STATUS_CACHE_TTL_MS: '0' });
  });
  afterAll(async () => {
    await live?.close();
    await short?.close();
    await off?.close();
  });

  async function expectActive(server: TestServer, token: string): Promise<void> {
    const res = await introspect(server, token);
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(true);
  }

  async function expectInactive(server: TestServer, token: string): Promise<void> {
    const res = await introspect(server, token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ active: false });
  }

  function clientCredentials(server: TestServer, client: TestClient): Promise<HttpResult> {
    return tokenRequest(server.url, client, { grant_type: 'client_credentials' });
  }

  async function serviceToken(server: TestServer, client: TestClient): Promise<string> {
    const res = await clientCredentials(server, client);
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  function admin(server: TestServer): Promise<string> {
    return signIn(server, ADMIN.username, ADMIN.password);
  }

  function expectInvalidClient(res: HttpResult): void {
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  }

  describe('a change made through the API is seen at once, however long the caches live', () => {
    it('a client suspended by an admin: its access token introspects inactive, client_credentials fails', async () => {
      const client = await createClient(live, { grantTypes: ['client_credentials'] });
      const token = await serviceToken(live, client);
      // Both look-ups are now cached: the client by its client_id, with its secrets.
      await expectActive(live, token);
      expect((await clientCredentials(live, client)).status).toBe(200);

      const suspended = await apiRequest(
        live.url,
        'POST',
        `/api/admin/clients/${client.ref}/suspend`,
        await admin(live),
        { reason: 'credentials leaked' },
      );
      expect(suspended.status).toBe(200);

      await expectInactive(live, token);
      expectInvalidClient(await clientCredentials(live, client));
    });

    it('a user disabled by an admin: their access token introspects inactive', async () => {
      // A client without refresh tokens: its access tokens carry no grant_id, so only
      // the account's status (not a revoked grant) can end them.
      const app = await createClient(live, { grantTypes: ['password'] });
      const user = await createUser(live);
      const { access_token: token } = await passwordTokens(live, app, user);
      expect(decodeJwt(token).payload.grant_id).toBeUndefined();
      await expectActive(live, token);

      const disabled = await apiRequest(
        live.url,
        'PATCH',
        `/api/users/${user.id}/status`,
        await admin(live),
        { status: 'disabled' },
      );
      expect(disabled.status).toBe(200);

      await expectInactive(live, token);
    });

    it('an access token revoked by its client introspects inactive', async () => {
      const client = await createClient(live, { grantTypes: ['client_credentials'] });
      const token = await serviceToken(live, client);
      await expectActive(live, token);

      const revoked = await revoke(live, token, { as: client });
      expect(revoked.status).toBe(200);

      await expectInactive(live, token);
    });

    it('a revoked refresh token ends the access tokens of its grant', async () => {
      const user = await createUser(live);
      const tokens = await passwordTokens(live, CONSOLE, user);
      expect(decodeJwt(tokens.access_token).payload.grant_id).toBeDefined();
      await expectActive(live, tokens.access_token);

      const revoked = await revoke(live, tokens.refresh_token!, { hint: 'refresh_token' });
      expect(revoked.status).toBe(200);

      await expectInactive(live, tokens.access_token);
    });

    it('roles replaced by an admin are in the next refreshed access token', async () => {
      const user = await createUser(live);
      const tokens = await passwordTokens(live, CONSOLE, user);
      expect(decodeJwt(tokens.access_token).payload.roles).toEqual([]);
      await expectActive(live, tokens.access_token);

      const replaced = await apiRequest(
        live.url,
        'PUT',
        `/api/users/${user.id}/roles`,
        await admin(live),
        { roles: ['developer'] },
      );
      expect(replaced.status).toBe(200);

      const refreshed = await tokenRequest(live.url, CONSOLE, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token!,
      });
      expect(refreshed.status).toBe(200);
      expect(decodeJwt(refreshed.body.access_token as string).payload.roles).toEqual(['developer']);
    });

    it('a new client secret works at once, and a revoked one stops at once', async () => {
      const adminToken = await admin(live);
      const app = await registerBrowserClient(live);
      const old: TestClient = { clientId: app.clientId, secret: app.secret };
      const resourceToken = await signIn(live, ADMIN.username, ADMIN.password);
      // Authenticates with the old secret: the client and its live secrets are cached.
      expect((await introspect(live, resourceToken, { as: old })).status).toBe(200);

      const issued = await apiRequest(
        live.url,
        'POST',
        `/api/clients/${app.id}/secret`,
        adminToken,
      );
      expect(issued.status).toBe(201);
      const fresh: TestClient = {
        clientId: app.clientId,
        secret: issued.body.client_secret as string,
      };
      expect((await introspect(live, resourceToken, { as: fresh })).status).toBe(200);

      const listed = await apiRequest(
        live.url,
        'GET',
        `/api/clients/${app.id}/secrets`,
        adminToken,
      );
      expect(listed.status).toBe(200);
      const oldSecret = (listed.body as unknown as Array<{ id: string }>).find(
        (secret) => secret.id !== issued.body.secret_id,
      );
      expect(oldSecret).toBeDefined();
      const ended = await apiRequest(
        live.url,
        'DELETE',
        `/api/clients/${app.id}/secrets/${oldSecret!.id}`,
        adminToken,
      );
      expect(ended.status).toBe(204);

      expectInvalidClient(await introspect(live, resourceToken, { as: old }));
      expect((await introspect(live, resourceToken, { as: fresh })).status).toBe(200);
    });

    it('a browser session reads the account in the database: a direct disable ends it at once', async () => {
      const app = await registerBrowserClient(live);
      const user = await createUser(live);
      const browser = new BrowserFlow(live.url);
      expect((await obtainCode(browser, app, user)).callback.code).toBeDefined();
      // The session is resolved again (were the account read through the cache, it would be cached now).
      await browser.authorize(authorizationParams(app, pkcePair().challenge, { prompt: 'none' }));
      expect(browser.callback().code).toBeDefined();

      // Only the column, without clearing the caches: a change made by another process.
      await live.dataSource.query(`UPDATE users SET status = 'disabled' WHERE id = ?`, [user.id]);
      await browser.authorize(authorizationParams(app, pkcePair().challenge, { prompt: 'none' }));
      expect(browser.callback().error).toBe('login_required');
    });
  });

  /** A user's token and a client's token, both introspected once (so cached), then both changed behind the server's back. */
  async function changedBehindTheServersBack(server: TestServer) {
    const user = await createUser(server);
    const { access_token: userToken } = await passwordTokens(server, CONSOLE, user);
    const client = await createClient(server, { grantTypes: ['client_credentials'] });
    const clientToken = await serviceToken(server, client);
    await expectActive(server, userToken);
    await expectActive(server, clientToken);
    // Without clearing the caches: a change made by another process, or by hand.
    await server.dataSource.query(`UPDATE users SET status = 'disabled' WHERE id = ?`, [user.id]);
    await server.dataSource.query(`UPDATE clients SET status = 'suspended' WHERE id = ?`, [
      client.ref,
    ]);
    return { client, userToken, clientToken };
  }

  it('a change made in the database directly is not seen before STATUS_CACHE_TTL_MS', async () => {
    // The minute-long TTL makes "not yet" certain however slow the machine.
    const { client, userToken, clientToken } = await changedBehindTheServersBack(live);
    await expectActive(live, userToken);
    await expectActive(live, clientToken);
    expect((await clientCredentials(live, client)).status).toBe(200);
  });

  it('a change made in the database directly is seen once STATUS_CACHE_TTL_MS has passed', async () => {
    const { client, userToken, clientToken } = await changedBehindTheServersBack(short);
    await sleep(SHORT_TTL_MS + MARGIN_MS);
    await expectInactive(short, userToken);
    await expectInactive(short, clientToken);
    expectInvalidClient(await clientCredentials(short, client));
  });

  it('with STATUS_CACHE_TTL_MS=0 a change made in the database directly is seen at once', async () => {
    const { client, userToken, clientToken } = await changedBehindTheServersBack(off);
    await expectInactive(off, userToken);
    await expectInactive(off, clientToken);
    expectInvalidClient(await clientCredentials(off, client));
  });
});
