import { ColumnOptions, PrimaryColumnOptions } from 'typeorm';

/**
 * Column options shared by every entity so that MariaDB and SQLite store the
 * same thing: timestamps are UTC `datetime` with milliseconds (TypeORM writes
 * them as UTC strings on SQLite and with `timezone: 'Z'` on MySQL).
 */
export const timestampColumn = (name: string, nullable = false): ColumnOptions => ({
  name,
  type: 'datetime',
  precision: 3,
  nullable,
});

export const idColumn = (name = 'id'): PrimaryColumnOptions => ({
  name,
  type: 'varchar',
  length: 36,
});
