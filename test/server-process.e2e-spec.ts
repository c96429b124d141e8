import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { decodeJwt, getJson, postForm, tokenRequest } from './support/http';
import {
  freePort,
  runCli,
  ServerProcess,
  spawnServer,
  waitUntilLive,
} from './support/server-process';

/** Reads the credential printed under a "shown this once" banner. */
function printedSecret(output: string, what: 'password' | 'client_secret'): string | undefined {
  const match = new RegExp(`Its ${what}, shown this once:\\s*\\n\\s*\\n\\s+(\\S+)`).exec(output);
  return match?.[1];
}

describe('the server process: configuration and start-up failures', () => {
  it('refuses to start on a bad environment, naming every bad variable in one message and no secret value', async () => {
    const server = spawnServer({
      PORT: 'abc',
      BCRYPT_COST: '99',
      SIGNING_KEY_ALGORITHM: 'HS256',
      DATABASE_URL: 'postgres://nope',
      BOOTSTRAP_ADMIN_PASSWORD: 'short',
      ACCESS_TOKEN_TTL_SECONDS: '-5',
    });
    const { code } = await server.exited;
    expect(code).toBe(1);
    const output = server.output();
    expect(output).toContain('Invalid configuration');
    for (const name of [
      'PORT',
      'BCRYPT_COST',
      'SIGNING_KEY_ALGORITHM',
      'DATABASE_URL',
      'BOOTSTRAP_ADMIN_PASSWORD',
      'ACCESS_TOKEN_TTL_SECONDS',
    ]) {
      expect(output).toContain(`${name}:`);
    }
    // Secret-bearing variables are named, never echoed.
    expect(output).not.toContain('short');
    expect(output).not.toContain('postgres://nope');
  });

  it('requires a key-encryption key and an https issuer in production', async () => {
    const server = spawnServer({ NODE_ENV: 'production', ISSUER_URL: 'http://id.example.com' });
    expect((await server.exited).code).toBe(1);
    expect(server.output()).toContain('KEY_ENCRYPTION_KEY: is required');
    expect(server.output()).toContain('ISSUER_URL: must use https');
  });

  it('exits non-zero with a clear message, and no password, when the database cannot be reached', async () => {
    const server = spawnServer({
      PORT: String(await freePort()),
      DATABASE_URL: 'mysql://root:hunter2-secret@127.0.0.1:1/tessera',
      DATABASE_CONNECT_ATTEMPTS: '1',
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
    });
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(server.output()).toContain(
      'cannot open the database mysql://root:***@127.0.0.1:1/tessera',
    );
    expect(server.output()).not.toContain('hunter2-secret');
  });
});

describe.each(DATABASES)('the server process on %s', (kind) => {
  let db: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  const running: ServerProcess[] = [];

  const start = async (extra: Record<string, string> = {}) => {
    const server = spawnServer({ ...env, PORT: String(await freePort()), ...extra });
    running.push(server);
    await waitUntilLive(server);
    return server;
  };

  // Each test gets a database of its own: bootstrap behaviour depends on what the database already holds.
  beforeEach(async () => {
    db = await createTestDatabase(kind);
    dir = mkdtempSync(join(tmpdir(), 'tessera-proc-'));
    // No KEY_ENCRYPTION_KEY: the development fallback (a key file) is part of what is tested.
    env = {
      DATABASE_URL: db.url,
      KEY_ENCRYPTION_KEY_FILE: join(dir, 'kek'),
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
      SIGNING_KEY_RELOAD_SECONDS: '1',
      // Fixed, as in any deployment: the port changes between restarts here.
      ISSUER_URL: 'http://tessera.test',
    };
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.stop()));
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('bootstraps an admin and a client with random credentials printed once, which survive a restart with keys and tokens', async () => {
    const first = await start();
    const password = printedSecret(first.output(), 'password');
    const secret = printedSecret(first.output(), 'client_secret');
    expect(password).toBeDefined();
    expect(secret).toBeDefined();
    expect(statSync(join(dir, 'kek')).mode & 0o777).toBe(0o600);
    expect(first.output()).toContain('KEY_ENCRYPTION_KEY is not set');

    const client = { clientId: 'console', secret: secret! };
    const issued = await tokenRequest(first.url, client, {
      grant_type: 'password',
      username: 'admin',
      password: password!,
    });
    expect(issued.status).toBe(200);
    const kid = decodeJwt(issued.body.access_token as string).header.kid;
    const jwksBefore = await getJson(`${first.url}/.well-known/jwks.json`);
    await first.stop();

    const second = await start();
    // Printed once: the second start on the same database shows no credential.
    expect(second.output()).not.toContain('shown this once');
    expect(second.output()).not.toContain(password!);
    expect(second.output()).not.toContain(secret!);
    const jwksAfter = await getJson(`${second.url}/.well-known/jwks.json`);
    expect(jwksAfter.body).toEqual(jwksBefore.body);

    const introspected = await postForm(
      `${second.url}/oauth/introspect`,
      { token: issued.body.access_token as string },
      {
        authorization: `Basic ${Buffer.from(`console:${secret}`).toString('base64')}`,
      },
    );
    expect(introspected.body.active).toBe(true);
    const refreshed = await tokenRequest(second.url, client, {
      grant_type: 'refresh_token',
      refresh_token: issued.body.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token as string).header.kid).toBe(kid);
  });

  it('writes JSON logs with a request id, echoes X-Request-Id, and never logs a secret', async () => {
    const adminPassword = `pw-${randomBytes(12).toString('hex')}`;
    const clientSecret = `cs-${randomBytes(16).toString('hex')}`;
    const server = await start({
      LOG_LEVEL: 'trace',
      BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      BOOTSTRAP_CLIENT_SECRET: clientSecret,
    });
    const client = { clientId: 'console', secret: clientSecret };
    const issued = await postForm(
      `${server.url}/oauth/token`,
      { grant_type: 'password', username: 'admin', password: adminPassword },
      {
        authorization: `Basic ${Buffer.from(`console:${clientSecret}`).toString('base64')}`,
        'x-request-id': 'trace-me-123',
      },
    );
    expect(issued.status).toBe(200);
    expect(issued.headers.get('x-request-id')).toBe('trace-me-123');
    const refreshToken = issued.body.refresh_token as string;
    const accessToken = issued.body.access_token as string;
    const refreshed = await tokenRequest(server.url, client, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    // Secrets in a query string and in the body of failing requests must not reach the log either.
    await fetch(
      `${server.url}/oauth/token?client_secret=${clientSecret}&password=${adminPassword}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({
          password: adminPassword,
          refresh_token: refreshed.body.refresh_token,
        }),
      },
    );
    await postForm(`${server.url}/oauth/token`, {
      grant_type: 'password',
      username: 'admin',
      password: adminPassword,
      client_id: 'console',
      client_secret: clientSecret,
    });
    await postForm(`${server.url}/oauth/revoke`, {
      token: refreshToken,
      client_id: 'console',
      client_secret: clientSecret,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await server.stop();

    const output = server.output();
    const lines = output.split('\n').filter((line) => line.startsWith('{'));
    const requestLines = lines
      .map((line) => JSON.parse(line) as { req?: { id?: string }; msg?: string })
      .filter((entry) => entry.req);
    expect(requestLines.length).toBeGreaterThanOrEqual(5);
    expect(requestLines.some((entry) => entry.req?.id === 'trace-me-123')).toBe(true);
    for (const secretValue of [
      adminPassword,
      clientSecret,
      refreshToken,
      refreshed.body.refresh_token as string,
      accessToken,
    ]) {
      expect(output).not.toContain(secretValue);
    }
  });

  it('finishes in-flight requests on SIGTERM, then exits 0', async () => {
    const adminPassword = 'admin-password-for-shutdown';
    const server = await start({
      BCRYPT_COST: '13',
      BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      BOOTSTRAP_CLIENT_SECRET: 'console-secret-shutdown-0123',
    });
    const inFlight = tokenRequest(
      server.url,
      { clientId: 'console', secret: 'console-secret-shutdown-0123' },
      { grant_type: 'password', username: 'admin', password: adminPassword },
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.process.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // After shutdown nothing listens any more.
    await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
  });

  it('answers liveness and readiness, readiness checking the database', async () => {
    const server = await start();
    expect((await getJson(`${server.url}/health/live`)).body).toEqual({ status: 'ok' });
    const ready = await getJson(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('rotates keys from the command line; a running server publishes the new key before it signs', async () => {
    const server = await start({ SIGNING_KEY_ROTATION_LEAD_SECONDS: '600' });
    const before = (await getJson(`${server.url}/.well-known/jwks.json`)).body as {
      keys: Array<{ kid: string }>;
    };
    const cli = await runCli(['keys:rotate'], {
      ...env,
      SIGNING_KEY_ROTATION_LEAD_SECONDS: '600',
      LOG_LEVEL: 'silent',
    });
    expect(cli.code).toBe(0);
    const created = /created (\S+)/.exec(cli.output)?.[1];
    expect(created).toBeDefined();
    expect(before.keys.map((k) => k.kid)).not.toContain(created);

    let published: string[] = [];
    for (let i = 0; i < 30 && !published.includes(created!); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      published = (
        (await getJson(`${server.url}/.well-known/jwks.json`)).body as {
          keys: Array<{ kid: string }>;
        }
      ).keys.map((k) => k.kid);
    }
    expect(published).toContain(created);
    const list = await runCli(['keys:list'], { ...env, LOG_LEVEL: 'silent' });
    expect(list.output).toMatch(new RegExp(`${created}\\s+RS256\\s+published`));
    expect(list.output).toMatch(new RegExp(`${before.keys[0].kid}\\s+RS256\\s+signing`));
  });

  it('creates a client from the command line whose secret, printed once, works for client_credentials', async () => {
    const server = await start();
    const cli = await runCli(
      ['clients:create', 'billing', '--grant', 'client_credentials', '--scope', 'orders:read'],
      { ...env, LOG_LEVEL: 'silent' },
    );
    expect(cli.code).toBe(0);
    const secret = printedSecret(cli.output, 'client_secret');
    expect(secret).toBeDefined();
    const res = await tokenRequest(
      server.url,
      { clientId: 'billing', secret: secret! },
      { grant_type: 'client_credentials' },
    );
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('orders:read');

    // The password grant is refused to a client that is not marked first-party (RFC 9700 §2.4).
    const refused = await runCli(['clients:create', 'shady', '--grant', 'password'], {
      ...env,
      LOG_LEVEL: 'silent',
    });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('--first-party');
  });
});
