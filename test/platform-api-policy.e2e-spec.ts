import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { createClient, createUser, revoke, signIn } from './support/fixtures';
import { apiRequest, tokenRequest } from './support/http';
import { CONSOLE, startServer, TestServer } from './support/test-server';

/**
 * Who may call the platform's own /api: active access tokens of first-party
 * clients, checked in-process on every request. A lockout stops password
 * guessing, not the sessions the user already has.
 */
describe.each(DATABASES)('the platform API token policy on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url, { LOGIN_MAX_FAILED_ATTEMPTS: '3' });
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('refuses a valid token of a third-party client with 401 invalid_token, and accepts a first-party one', async () => {
    const thirdParty = await createClient(server, {
      grantTypes: ['client_credentials'],
      firstParty: false,
    });
    const firstParty = await createClient(server, {
      grantTypes: ['client_credentials'],
      firstParty: true,
    });
    const foreign = (
      await tokenRequest(server.url, thirdParty, { grant_type: 'client_credentials' })
    ).body.access_token as string;
    const own = (await tokenRequest(server.url, firstParty, { grant_type: 'client_credentials' }))
      .body.access_token as string;

    const refused = await apiRequest(server.url, 'GET', '/api/scopes', foreign);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await apiRequest(server.url, 'GET', '/api/scopes', own)).status).toBe(200);
  });

  it('refuses a revoked access token at once', async () => {
    const user = await createUser(server);
    const token = await signIn(server, user.username, user.password);
    expect((await apiRequest(server.url, 'GET', '/api/users/me', token)).status).toBe(200);
    expect((await revoke(server, token)).status).toBe(200);
    expect((await apiRequest(server.url, 'GET', '/api/users/me', token)).status).toBe(401);
  });

  it('keeps the sessions of a locked account: its tokens and refresh tokens still work, only the password is refused', async () => {
    const user = await createUser(server);
    const issued = await tokenRequest(server.url, CONSOLE, {
      grant_type: 'password',
      username: user.username,
      password: user.password,
    });
    for (let i = 0; i < 3; i++) {
      await tokenRequest(server.url, CONSOLE, {
        grant_type: 'password',
        username: user.username,
        password: 'wrong',
      });
    }
    // Locked: the right password is refused now...
    expect(
      (
        await tokenRequest(server.url, CONSOLE, {
          grant_type: 'password',
          username: user.username,
          password: user.password,
        })
      ).status,
    ).toBe(400);
    // ...but an attacker failing logins does not sign the user out.
    expect(
      (await apiRequest(server.url, 'GET', '/api/users/me', issued.body.access_token as string))
        .status,
    ).toBe(200);
    const refreshed = await tokenRequest(server.url, CONSOLE, {
      grant_type: 'refresh_token',
      refresh_token: issued.body.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
  });
});
