import {
  authorizationParams,
  BrowserFlow,
  pkcePair,
  registerBrowserClient,
} from './support/browser-flow';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { createUser } from './support/fixtures';
import { getJson, tokenRequest } from './support/http';
import { CONSOLE, startServer, TestServer } from './support/test-server';

/**
 * bcrypt runs on worker threads of its own, not on the event loop: while a burst of
 * expensive logins is being hashed, other requests are still served. Shown by
 * order of completion, not by timing thresholds: each login at cost 12 takes
 * hundreds of milliseconds of CPU, so if hashing blocked the event loop, the
 * probes sent after the burst would wait for all of it.
 */
const REDIRECT = 'https://app.example.com/callback';

describe.each(DATABASES)('a flood of logins on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url, { BCRYPT_COST: '12' });
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('does not stall other endpoints', async () => {
    // Eight accounts: one account's concurrent checks are capped by its lockout budget.
    const users = await Promise.all(Array.from({ length: 8 }, () => createUser(server)));
    const finished: string[] = [];
    const logins = users.map((user, i) =>
      tokenRequest(server.url, CONSOLE, {
        grant_type: 'password',
        username: user.username,
        password: user.password,
      }).then((res) => {
        finished.push(`login-${i}`);
        return res;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const probes: Array<Promise<unknown>> = [];
    for (let i = 0; i < 3; i++) {
      probes.push(
        getJson(`${server.url}/health/live`).then((res) => {
          expect(res.status).toBe(200);
          finished.push(`probe-${i}`);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const results = await Promise.all(logins);
    await Promise.all(probes);
    expect(results.every((res) => res.status === 200)).toBe(true);
    const lastProbe = Math.max(...[0, 1, 2].map((i) => finished.indexOf(`probe-${i}`)));
    const lastLogin = Math.max(
      ...Array.from({ length: 8 }, (_, i) => finished.indexOf(`login-${i}`)),
    );
    expect(lastProbe).toBeLessThan(lastLogin);
  });
});

/**
 * Beyond PASSWORD_CHECK_QUEUE_LIMIT sign-ins being checked at once, a sign-in is
 * refused at once (503 + Retry-After) instead of queueing without bound, on the
 * password grant and on the login page alike, and the refusal counts as no
 * attempt. With a limit of one and checks of hundreds of milliseconds (cost 12),
 * requests sent together overlap: the first is admitted, the others are not.
 */
describe.each(DATABASES)('a full queue of password checks on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url, {
      BCRYPT_COST: '12',
      PASSWORD_CHECK_QUEUE_LIMIT: '1',
      // High enough that the wrong passwords below never lock: the counter shows what was checked.
      LOGIN_MAX_FAILED_ATTEMPTS: '10',
    });
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('answers the password grant 503 temporarily_unavailable with Retry-After', async () => {
    const user = await createUser(server);
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        tokenRequest(server.url, CONSOLE, {
          grant_type: 'password',
          username: user.username,
          password: 'a-wrong-password-each-time',
        }),
      ),
    );
    const busy = results.filter((res) => res.status === 503);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(results.filter((res) => res.status === 400)).toHaveLength(4 - busy.length);
    for (const res of busy) {
      expect(res.body.error).toBe('temporarily_unavailable');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // Refused checks are no attempts: the failure counter holds exactly the
    // wrong passwords that were checked (the 400s), not the refused ones.
    const [row] = await server.dataSource.query<Array<{ failed_login_count: number | string }>>(
      'SELECT failed_login_count FROM users WHERE id = ?',
      [user.id],
    );
    expect(Number(row.failed_login_count)).toBe(4 - busy.length);
  });

  it('shows the login page again with 503, Retry-After and a plain message', async () => {
    const user = await createUser(server);
    const client = await registerBrowserClient(server, { redirectUris: [REDIRECT] });
    const browsers = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const browser = new BrowserFlow(server.url);
        await browser.authorize(authorizationParams(client, pkcePair().challenge));
        await browser.follow();
        return browser;
      }),
    );
    const answers = await Promise.all(
      browsers.map((browser) => browser.submitLogin(user.username, user.password)),
    );
    const busy = answers.filter((page) => page.status === 503);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(answers.filter((page) => page.status === 303)).toHaveLength(4 - busy.length);
    for (const page of busy) {
      expect(Number(page.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(page.body).toContain('Too many people are signing in right now');
      expect(page.body).toMatch(/name="?password/);
    }
    // The refused browser simply sends the form again.
    const retried = browsers[answers.indexOf(busy[0])];
    const again = await retried.submitLogin(user.username, user.password);
    expect(again.status).toBe(303);
  });
});
