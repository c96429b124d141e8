import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createApp } from '../../apps/identity-server/src/app.factory';
import { StatusCaches } from '../../apps/identity-server/src/common/status-caches';
import { AppConfig, loadConfig } from '../../apps/identity-server/src/config/app-config';
import { createTestDatabase, DatabaseKind } from './databases';
import { freePort } from './server-process';

/** Credentials the test servers bootstrap with. */
export const ADMIN = { username: 'admin', password: 'admin-password-for-tests' };
export const CONSOLE = { clientId: 'console', secret: 'console-secret-for-tests-0123456789' };

/** One key-encryption key per test process, shared by every server on a database. */
const KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');

export interface TestServer {
  url: string;
  app: INestApplication;
  config: AppConfig;
  dataSource: DataSource;
  /** Resolves a provider of the running server (for test setup only). */
  get<T>(type: new (...args: never[]) => T): T;
  /**
   * Empties the server's status caches. A test's direct database write stands
   * for a change made elsewhere, which the server sees within
   * `STATUS_CACHE_TTL_MS`; call this after one to see it at once.
   */
  clearStatusCaches(): void;
  close(): Promise<void>;
}

/**
 * The environment of a test server on `port` over `databaseUrl`: cheap bcrypt,
 * quiet logs, the bootstrap credentials above, and no key-encryption key
 * unless `env` gives one (or its file); `env` overrides any variable.
 */
export function testEnvironment(
  port: number,
  databaseUrl: string,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: String(port),
    ISSUER_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    BCRYPT_COST: '4',
    BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    BOOTSTRAP_CLIENT_ID: CONSOLE.clientId,
    BOOTSTRAP_CLIENT_SECRET: CONSOLE.secret,
    ...env,
  };
}

/**
 * Starts an identity server in this process on a free port, over `databaseUrl`.
 * Defaults suit tests (cheap bcrypt, quiet logs); `env` overrides any variable.
 */
export async function startServer(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<TestServer> {
  // The port is chosen first so that the issuer (in every token, and checked by
  // the /api guard) names the address the server really listens on.
  const port = await freePort();
  const config = loadConfig(testEnvironment(port, databaseUrl, { KEY_ENCRYPTION_KEY, ...env }));
  const app = await createApp(config);
  await app.listen(port, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    config,
    dataSource: app.get(DataSource),
    get: <T>(type: new (...args: never[]) => T) => app.get(type),
    clearStatusCaches: () => app.get(StatusCaches).clearAll(),
    close: () => app.close(),
  };
}

/**
 * Starts a server as `startServer` does, on a new database of `kind` of its
 * own (one spec file's usual setup); `close()` stops the server, then drops the database.
 */
export async function startServerOnNewDatabase(
  kind: DatabaseKind,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const db = await createTestDatabase(kind);
  const server = await startServer(db.url, env).catch(async (error: unknown) => {
    await db.drop();
    throw error;
  });
  return {
    ...server,
    close: async () => {
      try {
        await server.close();
      } finally {
        await db.drop();
      }
    },
  };
}
