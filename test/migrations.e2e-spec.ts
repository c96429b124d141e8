import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../apps/identity-server/src/config/app-config';
import { buildDataSourceOptions } from '../apps/identity-server/src/database/data-source-options';
import { MIGRATIONS } from '../apps/identity-server/src/database/migrations';
import { insertRows } from '../apps/identity-server/src/database/migrations/schema-helpers';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';

/** The same migration files build, tear down and rebuild the schema on both engines. */
describe.each(DATABASES)('migrations on %s', (kind) => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    dataSource = await new DataSource(
      buildDataSourceOptions(parseDatabaseUrl(db.url)),
    ).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  /** The tables of this database, apart from the engines' own bookkeeping. */
  const tables = async (on: DataSource = dataSource): Promise<string[]> => {
    const sql =
      kind === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()';
    const rows: Array<{ name: string }> = await on.query(sql);
    return rows
      .map((row) => row.name)
      .filter((name) => name !== 'migrations')
      .sort();
  };

  it('applies every migration, reverts them all, and applies them again', async () => {
    expect(await dataSource.runMigrations({ transaction: 'each' })).toHaveLength(MIGRATIONS.length);
    const created = await tables();
    expect(created).toEqual(
      expect.arrayContaining([
        'users',
        'roles',
        'clients',
        'client_secrets',
        'scopes',
        'signing_keys',
        'refresh_token_families',
        'audit_events',
      ]),
    );
    // Refresh tokens rotate in place on their grant's row since 1763900000010.
    expect(created).not.toContain('refresh_tokens');
    expect(await dataSource.showMigrations()).toBe(false);

    for (let i = 0; i < MIGRATIONS.length; i++)
      await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual([]);

    expect(await dataSource.runMigrations({ transaction: 'each' })).toHaveLength(MIGRATIONS.length);
    expect(await tables()).toEqual(created);
    const roles: Array<{ name: string }> = await dataSource.query(
      'SELECT name FROM roles ORDER BY name',
    );
    expect(roles.map((role) => role.name)).toEqual(['admin', 'developer']);
  });

  it('carries grants across 1763900000010 (tokens rotated in place), and back', async () => {
    const upgrade = await createTestDatabase(kind);
    try {
      const options = buildDataSourceOptions(parseDatabaseUrl(upgrade.url));
      const before = MIGRATIONS.findIndex((m) => m.name.endsWith('1763900000010'));
      expect(before).toBeGreaterThan(0);
      const old = await new DataSource({
        ...options,
        migrations: MIGRATIONS.slice(0, before),
      }).initialize();
      try {
        await old.runMigrations({ transaction: 'each' });
        const now = new Date();
        const runner = old.createQueryRunner();
        await insertRows(runner, 'users', [
          {
            id: 'u1',
            username: 'ann',
            username_normalized: 'ann',
            password_hash: 'x',
            status: 'active',
            password_changed_at: now,
            created_at: now,
            updated_at: now,
          },
        ]);
        await insertRows(runner, 'clients', [
          {
            id: 'c1',
            client_id: 'app',
            name: 'app',
            status: 'approved',
            scope: 'a',
            requested_scope: 'a',
            redirect_uris: '',
            created_at: now,
            updated_at: now,
          },
        ]);
        await insertRows(runner, 'refresh_token_families', [
          { id: 'g1', client_ref: 'c1', user_id: 'u1', auth_time: now, created_at: now },
        ]);
        await insertRows(runner, 'refresh_tokens', [
          {
            id: 't1',
            token_hash: 'h'.repeat(64),
            family_id: 'g1',
            scope: 'a',
            created_at: now,
            expires_at: new Date(now.getTime() + 86_400_000), // live: still not carried over
          },
        ]);
        await runner.release();
      } finally {
        await old.destroy();
      }

      // Up to 1763900000010 only, so that later migrations do not change what is tested.
      const current = await new DataSource({
        ...options,
        migrations: MIGRATIONS.slice(0, before + 1),
      }).initialize();
      try {
        const ran = await current.runMigrations({ transaction: 'each' });
        expect(ran.map((m) => m.name)).toEqual(['RotateRefreshTokensInPlace1763900000010']);
        const [grant] = await current.query<Array<Record<string, unknown>>>(
          'SELECT * FROM refresh_token_families',
        );
        // The grant lives on, with no live token: earlier tokens do not name their grant.
        expect(grant).toMatchObject({
          id: 'g1',
          client_ref: 'c1',
          user_id: 'u1',
          revoked_at: null,
        });
        expect(grant).toMatchObject({
          token_hash: null,
          token_expires_at: null,
          token_issued_at: null,
        });
        expect(Number(grant.rotations)).toBe(0);
        expect(await tables(current)).not.toContain('refresh_tokens');

        await current.undoLastMigration({ transaction: 'each' });
        const [reverted] = await current.query<Array<Record<string, unknown>>>(
          'SELECT * FROM refresh_token_families',
        );
        expect(Object.keys(reverted).sort()).toEqual([
          'auth_time',
          'client_ref',
          'created_at',
          'id',
          'revoked_at',
          'revoked_reason',
          'user_id',
        ]);
        // The grant's own values survive the way back too (SQLite rebuilds the table).
        expect(reverted).toMatchObject({ id: 'g1', client_ref: 'c1', user_id: 'u1' });
        expect(new Date(String(reverted.auth_time)).getTime()).not.toBeNaN();
        expect(await tables(current)).toContain('refresh_tokens');
        expect(await current.query('SELECT * FROM refresh_tokens')).toEqual([]);
      } finally {
        await current.destroy();
      }
    } finally {
      await upgrade.drop();
    }
  });
});
