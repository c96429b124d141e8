import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../apps/identity-server/src/config/app-config';
import { buildDataSourceOptions } from '../apps/identity-server/src/database/data-source-options';
import { MIGRATIONS } from '../apps/identity-server/src/database/migrations';
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
  const tables = async (): Promise<string[]> => {
    const sql =
      kind === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()';
    const rows: Array<{ name: string }> = await dataSource.query(sql);
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
});
