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
    const user = await createUser(server);
    const finished: string[] = [];
    const logins = Array.from({ length: 8 }, (_, i) =>
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
