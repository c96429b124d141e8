import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { refreshTokensTable } from './1763900000005-create-tokens';
import { createPortableTable, datetime, int, varchar } from './schema-helpers';

/**
 * Refresh tokens rotate in place: each grant's row holds the hash of its one
 * live token, and a rotation swaps it with one conditional UPDATE
 * (`RefreshTokenStore.redeem`), instead of consuming a row of
 * `refresh_tokens` and inserting its successor. The tokens themselves became
 * sealed envelopes that name their grant.
 *
 * Upgrading ends the refresh tokens issued before it: they do not name their
 * grant, so they cannot be carried over. Their holders sign in again; access
 * tokens already issued keep working until they expire.
 */
export class RotateRefreshTokensInPlace1763900000010 implements MigrationInterface {
  name = 'RotateRefreshTokensInPlace1763900000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One call: on SQLite every column change rebuilds the table.
    await queryRunner.addColumns('refresh_token_families', [
      new TableColumn(varchar('token_hash', 64, true)),
      new TableColumn(datetime('token_issued_at', true)),
      new TableColumn(datetime('token_expires_at', true)),
      new TableColumn(int('rotations', 0)),
    ]);
    await queryRunner.dropTable('refresh_tokens');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The shape of 1763900000005; the tokens of the in-place scheme are not carried back either.
    await createPortableTable(queryRunner, refreshTokensTable());
    await queryRunner.dropColumns('refresh_token_families', [
      'rotations',
      'token_expires_at',
      'token_issued_at',
      'token_hash',
    ]);
  }
}
