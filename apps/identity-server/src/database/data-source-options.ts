import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/**
 * TypeORM options for a `DATABASE_URL`. The schema comes only from migrations
 * (`synchronize` is off everywhere); the same migrations serve both engines.
 */
export function buildDataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;
  if (db.kind === 'mysql') {
    return {
      ...common,
      type: 'mysql',
      url: db.url,
      // Store and read every DATETIME as UTC, whatever the server's time zone.
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
      poolSize: db.poolSize,
      connectTimeout: 10_000,
    };
  }
  const inMemory = db.path === ':memory:';
  if (!inMemory) mkdirSync(dirname(resolve(db.path)), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: inMemory ? ':memory:' : resolve(db.path),
    // WAL lets readers run while one writer commits; busy_timeout makes a
    // second process wait for the write lock instead of failing at once.
    prepareDatabase: (database: { pragma(source: string): unknown }) => {
      database.pragma('journal_mode = WAL');
      database.pragma('busy_timeout = 5000');
      database.pragma('foreign_keys = ON');
    },
  };
}

/** `mysql://user:secret@host/db` → `mysql://user:***@host/db`, for messages. */
export function redactDataSource(options: DataSourceOptions): string {
  if (options.type === 'mysql')
    return (options.url ?? '').replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  return `sqlite:${String(options.database)}`;
}
