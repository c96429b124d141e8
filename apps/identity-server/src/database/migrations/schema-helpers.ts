import { TableColumnOptions } from 'typeorm';

// Column builders for migrations. Migrations that have shipped depend on these
// exact shapes: never change a builder, add a new one.

export const uuidPk = (name = 'id'): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '36',
  isPrimary: true,
});
export const uuidRef = (name: string, isNullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '36',
  isNullable,
});
export const varchar = (name: string, length: number, isNullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable,
});
export const text = (name: string, isNullable = false): TableColumnOptions => ({
  name,
  type: 'text',
  isNullable,
});
export const datetime = (name: string, isNullable = false): TableColumnOptions => ({
  name,
  type: 'datetime',
  precision: 3,
  isNullable,
});

/**
 * Inserts seed rows with plain parameterised SQL (`?` placeholders suit both
 * mysql2 and better-sqlite3), never through entity metadata: a migration must
 * keep meaning the same thing when entities change later. Dates are written as
 * UTC `YYYY-MM-DD HH:MM:SS.mmm`, the format TypeORM uses on both engines.
 */
export async function insertRows(
  queryRunner: import('typeorm').QueryRunner,
  table: string,
  rows: Array<Record<string, string | number | boolean | Date | null>>,
): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row);
    const values = columns.map((column) => {
      const value = row[column];
      if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
      if (typeof value === 'boolean') return value ? 1 : 0;
      return value;
    });
    const quoted = columns.map((column) => queryRunner.connection.driver.escape(column)).join(', ');
    await queryRunner.query(
      `INSERT INTO ${queryRunner.connection.driver.escape(table)} (${quoted}) VALUES (${columns.map(() => '?').join(', ')})`,
      values,
    );
  }
}

/**
 * Creates a table that compares strings the same way on both engines: on
 * MySQL/MariaDB in `utf8mb4` with the binary collation (exact and
 * case-sensitive, like SQLite), whatever the database's own default is.
 * Case-insensitive matching (usernames) uses a normalised column instead.
 */
export async function createPortableTable(
  queryRunner: import('typeorm').QueryRunner,
  table: import('typeorm').Table,
): Promise<void> {
  if (queryRunner.connection.driver.options.type === 'mysql') {
    // TypeORM writes `ENGINE=<engine>` last in CREATE TABLE: the table options ride along.
    table.engine = 'InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
  }
  await queryRunner.createTable(table);
}

export const int = (name: string, defaultValue: number): TableColumnOptions => ({
  name,
  type: 'int',
  default: defaultValue,
});
