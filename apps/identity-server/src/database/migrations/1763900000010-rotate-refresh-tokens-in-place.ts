import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import {
  createPortableTable,
  datetime,
  int,
  text,
  uuidPk,
  uuidRef,
  varchar,
} from './schema-helpers';

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
    // The shape 1763900000005 created, written out again on purpose: a merged migration
    // is never edited, so this one cannot borrow its definition. The tokens of the
    // in-place scheme are not carried back either.
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'refresh_tokens',
        columns: [
          uuidPk(),
          { name: 'token_hash', type: 'varchar', length: '64' },
          uuidRef('family_id'),
          text('scope'),
          datetime('created_at'),
          datetime('expires_at'),
          datetime('consumed_at', true),
        ],
        indices: [
          { name: 'uq_refresh_tokens_hash', columnNames: ['token_hash'], isUnique: true },
          { name: 'idx_refresh_tokens_family', columnNames: ['family_id'] },
        ],
        foreignKeys: [
          {
            columnNames: ['family_id'],
            referencedTableName: 'refresh_token_families',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.dropColumns('refresh_token_families', [
      'rotations',
      'token_expires_at',
      'token_issued_at',
      'token_hash',
    ]);
  }
}
