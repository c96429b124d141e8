import { DataSource, ObjectLiteral, Repository } from 'typeorm';

/**
 * Hot paths (client authentication, introspection, refresh) read with one
 * hand-written SELECT instead of TypeORM's find options: building the query
 * and mapping the result through the query builder cost more CPU than the
 * round trip itself (docs/performance.md). These two helpers keep the typing
 * and the MariaDB/SQLite value conversion TypeORM would have applied.
 */

/** Select lists already built, by entity and alias: they never change while the app runs. */
const selectLists = new WeakMap<object, Map<string, string>>();

/**
 * `alias.column AS alias_column, …` for every column of the repository's
 * entity; {@link hydrateRow} reads the row back under the same alias.
 */
export function selectColumns(repo: Repository<ObjectLiteral>, alias: string): string {
  let lists = selectLists.get(repo.metadata);
  if (!lists) selectLists.set(repo.metadata, (lists = new Map<string, string>()));
  let list = lists.get(alias);
  if (list === undefined) {
    const { driver } = repo.manager.connection;
    list = repo.metadata.columns
      .map(
        (column) =>
          `${alias}.${driver.escape(column.databaseName)} AS ${alias}_${column.databaseName}`,
      )
      .join(', ');
    lists.set(alias, list);
  }
  return list;
}

/**
 * The entity in `row` under `alias` (see {@link selectColumns}), each value
 * converted by the driver exactly as a find() would (dates, booleans), or
 * null when the row holds none (the outer side of a LEFT JOIN).
 */
export function hydrateRow<T extends ObjectLiteral>(
  repo: Repository<T>,
  row: Record<string, unknown>,
  alias: string,
): T | null {
  const primary = repo.metadata.primaryColumns[0];
  if (row[`${alias}_${primary.databaseName}`] == null) return null;
  const driver = repo.manager.connection.driver;
  const entity = repo.create();
  for (const column of repo.metadata.columns) {
    const value = driver.prepareHydratedValue(row[`${alias}_${column.databaseName}`], column);
    (entity as Record<string, unknown>)[column.propertyName] = value;
  }
  return entity;
}

/**
 * Runs one hand-written INSERT, UPDATE or DELETE and returns how many rows it
 * changed, on either engine (a plain `query()` returns each driver's own
 * result shape).
 */
export async function executeStatement(
  dataSource: DataSource,
  sql: string,
  parameters: unknown[],
): Promise<number> {
  const runner = dataSource.createQueryRunner();
  try {
    const result = await runner.query(sql, parameters, true);
    return result.affected ?? 0;
  } finally {
    await runner.release();
  }
}

/**
 * A timestamp as a parameter of hand-written SQL: UTC `YYYY-MM-DD
 * HH:MM:SS.mmm`, what TypeORM itself writes to `datetime(3)` columns on both
 * engines (SQLite compares these strings in time order).
 */
export function sqlTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
