import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

const LOCK_NAME = 'tessera_migrations';

/**
 * Applies pending migrations. On MySQL several server processes may start at
 * once on one database, so they take turns under a named lock (GET_LOCK);
 * SQLite serialises writers itself.
 */
export async function runPendingMigrations(
  dataSource: DataSource,
  logger = new Logger('Migrations'),
) {
  const isMysql = dataSource.options.type === 'mysql';
  const lockRunner = isMysql ? dataSource.createQueryRunner() : undefined;
  try {
    if (lockRunner) {
      const rows: Array<{ acquired: number | string | null }> = await lockRunner.query(
        'SELECT GET_LOCK(?, 60) AS acquired',
        [LOCK_NAME],
      );
      if (Number(rows[0]?.acquired) !== 1)
        throw new Error('timed out waiting for the migration lock');
    }
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0)
      logger.log(
        `applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`,
      );
  } finally {
    if (lockRunner) {
      await lockRunner.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]).catch(() => undefined);
      await lockRunner.release();
    }
  }
}
