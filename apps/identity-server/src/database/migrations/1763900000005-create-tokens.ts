import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { createPortableTable, datetime, text, uuidPk, uuidRef, varchar } from './schema-helpers';

/** Refresh-token families and tokens (hashed), and the access-token revocation list. */
export class CreateTokens1763900000005 implements MigrationInterface {
  name = 'CreateTokens1763900000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'refresh_token_families',
        columns: [
          uuidPk(),
          uuidRef('client_ref'),
          uuidRef('user_id'),
          datetime('auth_time'),
          datetime('created_at'),
          datetime('revoked_at', true),
          varchar('revoked_reason', 64, true),
        ],
        indices: [
          { name: 'idx_refresh_token_families_client', columnNames: ['client_ref'] },
          { name: 'idx_refresh_token_families_user', columnNames: ['user_id'] },
        ],
        foreignKeys: [
          {
            columnNames: ['client_ref'],
            referencedTableName: 'clients',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
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
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'revoked_access_tokens',
        columns: [
          { ...varchar('jti', 64), isPrimary: true },
          datetime('expires_at'),
          datetime('revoked_at'),
        ],
        indices: [{ name: 'idx_revoked_access_tokens_expires', columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('revoked_access_tokens');
    await queryRunner.dropTable('refresh_tokens');
    await queryRunner.dropTable('refresh_token_families');
  }
}
