import { INestApplication } from '@nestjs/common';
import { JWK } from 'jose';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../apps/identity-server/src/app.factory';
import { loadConfig } from '../apps/identity-server/src/config/app-config';
import { KeyRingService } from '../apps/identity-server/src/keys/key-ring.service';
import { PrivateKeyCipher } from '../apps/identity-server/src/keys/private-key-cipher';
import { SigningKeyEntity } from '../apps/identity-server/src/keys/signing-key.entity';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { getJson, tokenRequest } from './support/http';
import { freePort } from './support/server-process';
import { ADMIN, CONSOLE, testEnvironment } from './support/test-server';

const MISMATCH = 'does not open the signing keys stored in the database';
const NOT_SEALED_WITH_IT = 'it is not the key they were sealed with';

interface Server {
  url: string;
  app: INestApplication;
  dataSource: DataSource;
  close(): Promise<void>;
}

const newKek = () => randomBytes(32).toString('base64');

/** A token for the bootstrap admin through the password grant (RFC 6749 §4.3). */
const passwordGrant = (server: Server) =>
  tokenRequest(server.url, CONSOLE, {
    grant_type: 'password',
    username: ADMIN.username,
    password: ADMIN.password,
  });

describe.each(DATABASES)('the key-encryption key on %s', (kind) => {
  let db: TestDatabase;
  let dir: string;
  const running: Server[] = [];

  /**
   * Starts a server in this process as test/support/test-server.ts does, but
   * with no KEY_ENCRYPTION_KEY unless `env` gives one (the key file is under
   * test), and closing what a failed start opened.
   */
  async function start(env: Record<string, string>): Promise<Server> {
    const port = await freePort();
    const config = loadConfig(
      testEnvironment(port, db.url, {
        STATUS_CACHE_TTL_MS: '0',
        KEY_ENCRYPTION_KEY_FILE: join(dir, 'kek'),
        ...env,
      }),
    );
    const app = await createApp(config);
    try {
      await app.listen(port, '127.0.0.1');
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
    const server = {
      url: `http://127.0.0.1:${port}`,
      app,
      dataSource: app.get(DataSource),
      close: async () => {
        running.splice(running.indexOf(server), 1);
        await app.close();
      },
    };
    running.push(server);
    return server;
  }

  /** The error a start fails with (the message `main.ts` prints before exiting 1). */
  async function startFailure(env: Record<string, string>): Promise<Error> {
    const error = await start(env).then(
      () => undefined,
      (reason: unknown) => reason as Error,
    );
    if (!error) throw new Error('the server started');
    return error;
  }

  const rowsOf = (server: Server, table: string) =>
    server.dataSource.query<Array<Record<string, unknown>>>(`SELECT * FROM ${table}`);

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    dir = mkdtempSync(join(tmpdir(), 'tessera-kek-'));
  });
  afterEach(async () => {
    for (const server of [...running].reverse()) await server.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on a fresh database, generates the key file (mode 600) and starts; a restart reads it back', async () => {
    const file = join(dir, 'kek');
    const first = await start({});
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = readFileSync(file, 'utf8');
    const issued = await passwordGrant(first);
    expect(issued.status).toBe(200);
    const ready = await getJson(`${first.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, signingKey: { status: 'up' } },
    });
    await first.close();

    const second = await start({});
    expect(readFileSync(file, 'utf8')).toBe(written);
    const refreshed = await tokenRequest(second.url, CONSOLE, {
      grant_type: 'refresh_token',
      refresh_token: issued.body.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
  });

  it('refuses to start with a key-encryption key the stored signing keys were not sealed with, and changes nothing', async () => {
    const kek = newKek();
    const wrongKek = newKek();
    // The right process keeps running on the database, as another replica would.
    const right = await start({ KEY_ENCRYPTION_KEY: kek });
    const keysBefore = await rowsOf(right, 'signing_keys');
    const secretsBefore = await rowsOf(right, 'client_secrets');

    const fromEnvironment = await startFailure({ KEY_ENCRYPTION_KEY: wrongKek });
    expect(fromEnvironment.message).toContain(`KEY_ENCRYPTION_KEY ${MISMATCH}`);
    expect(fromEnvironment.message).toContain(NOT_SEALED_WITH_IT);
    expect(fromEnvironment.message).toContain(keysBefore[0].kid as string);

    const file = join(dir, 'other-kek');
    writeFileSync(file, `${wrongKek}\n`, { mode: 0o600 });
    const fromFile = await startFailure({ KEY_ENCRYPTION_KEY_FILE: file });
    expect(fromFile.message).toContain(`KEY_ENCRYPTION_KEY_FILE (${file}) ${MISMATCH}`);
    expect(fromFile.message).toContain(NOT_SEALED_WITH_IT);

    for (const error of [fromEnvironment, fromFile]) {
      expect(error.message).not.toContain(kek);
      expect(error.message).not.toContain(wrongKek);
    }
    // Refused before the bootstrap client's secret was checked (and rewritten under the wrong key).
    expect(await rowsOf(right, 'signing_keys')).toEqual(keysBefore);
    expect(await rowsOf(right, 'client_secrets')).toEqual(secretsBefore);
    expect((await passwordGrant(right)).status).toBe(200);
  });

  it('does not replace a lost key file while the database holds sealed keys; the restored file starts again', async () => {
    const file = join(dir, 'kek');
    const first = await start({});
    const issued = await passwordGrant(first);
    expect(issued.status).toBe(200);
    await first.close();
    const saved = readFileSync(file);
    rmSync(file);

    const lost = await startFailure({});
    expect(lost.message).toContain(
      `KEY_ENCRYPTION_KEY is not set and KEY_ENCRYPTION_KEY_FILE (${file}) does not exist, ` +
        'but the database holds 1 signing key(s) sealed with a key-encryption key',
    );
    expect(lost.message).toContain('no new key was generated');
    expect(existsSync(file)).toBe(false);
    // A changed path is the same case.
    const moved = join(dir, 'moved', 'kek');
    expect((await startFailure({ KEY_ENCRYPTION_KEY_FILE: moved })).message).toContain(
      `KEY_ENCRYPTION_KEY_FILE (${moved}) does not exist`,
    );
    expect(existsSync(moved)).toBe(false);

    writeFileSync(file, saved, { mode: 0o600 });
    const restored = await start({});
    const refreshed = await tokenRequest(restored.url, CONSOLE, {
      grant_type: 'refresh_token',
      refresh_token: issued.body.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
  });

  it('reports not ready while the key that signs does not unseal', async () => {
    const server = await start({ KEY_ENCRYPTION_KEY: newKek() });
    // A key another process wrote under a different key-encryption key, signing from now.
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = `foreign-${kind}`;
    const now = new Date();
    await server.dataSource.getRepository(SigningKeyEntity).insert({
      kid,
      algorithm: 'RS256',
      publicJwk: JSON.stringify({
        ...(publicKey.export({ format: 'jwk' }) as JWK),
        kid,
        alg: 'RS256',
        use: 'sig',
      }),
      privateKeyEncrypted: new PrivateKeyCipher(randomBytes(32)).encrypt(
        kid,
        privateKey.export({ format: 'der', type: 'pkcs8' }),
      ),
      createdAt: now,
      activatesAt: now,
      revokedAt: null,
    });
    const ring = server.app.get(KeyRingService);
    await ring.reload();

    const down = await getJson(`${server.url}/health/ready`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'error',
      error: { signingKey: { status: 'down', message: 'no usable signing key' } },
    });

    // Revoking it installs a replacement sealed with this process's key.
    await ring.revoke(kid);
    const ready = await getJson(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await passwordGrant(server)).status).toBe(200);
  });
});
