import { MigrationInterface, QueryRunner, Table, TableForeignKeyOptions } from 'typeorm';
import { createPortableTable, datetime, text, uuidPk, uuidRef, varchar } from './schema-helpers';

const cascadeTo = (column: string, table: string): TableForeignKeyOptions => ({
  columnNames: [column],
  referencedTableName: table,
  referencedColumnNames: ['id'],
  onDelete: 'CASCADE',
});

/**
 * The browser flow (issue 6): single sign-on sessions, pending authorization
 * requests waiting for a login or a consent, authorization codes (hashed),
 * and the consents users gave to clients.
 */
export class CreateBrowserFlow1763900000008 implements MigrationInterface {
  name = 'CreateBrowserFlow1763900000008';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'browser_sessions',
        columns: [
          // A keyed hash of the cookie value: the table alone cannot be replayed as cookies.
          { ...varchar('id', 64), isPrimary: true },
          uuidRef('user_id'),
          datetime('auth_time'),
          datetime('created_at'),
          datetime('last_seen_at'),
          datetime('expires_at'),
          datetime('ended_at', true),
          varchar('ended_reason', 32, true),
        ],
        indices: [{ name: 'idx_browser_sessions_user', columnNames: ['user_id'] }],
        foreignKeys: [cascadeTo('user_id', 'users')],
      }),
    );
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'authorization_interactions',
        columns: [
          { ...varchar('id', 32), isPrimary: true },
          varchar('browser_binding_hash', 64),
          text('params'),
          uuidRef('user_id', true),
          varchar('session_id', 64, true),
          datetime('auth_time', true),
          datetime('created_at'),
          datetime('expires_at'),
        ],
        indices: [{ name: 'idx_authorization_interactions_expires', columnNames: ['expires_at'] }],
      }),
    );
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'authorization_codes',
        columns: [
          uuidPk(),
          varchar('code_hash', 64),
          uuidRef('client_ref'),
          uuidRef('user_id'),
          text('redirect_uri'),
          varchar('code_challenge', 128),
          text('scope'),
          text('nonce', true),
          datetime('auth_time'),
          varchar('session_id', 64, true),
          datetime('created_at'),
          datetime('expires_at'),
          datetime('consumed_at', true),
          uuidRef('grant_id', true),
        ],
        indices: [
          { name: 'uq_authorization_codes_hash', columnNames: ['code_hash'], isUnique: true },
          { name: 'idx_authorization_codes_expires', columnNames: ['expires_at'] },
        ],
        foreignKeys: [cascadeTo('client_ref', 'clients'), cascadeTo('user_id', 'users')],
      }),
    );
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'consents',
        columns: [
          uuidPk(),
          uuidRef('user_id'),
          uuidRef('client_ref'),
          text('scope'),
          datetime('created_at'),
          datetime('updated_at'),
        ],
        indices: [
          {
            name: 'uq_consents_user_client',
            columnNames: ['user_id', 'client_ref'],
            isUnique: true,
          },
          { name: 'idx_consents_client', columnNames: ['client_ref'] },
        ],
        foreignKeys: [cascadeTo('user_id', 'users'), cascadeTo('client_ref', 'clients')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('consents');
    await queryRunner.dropTable('authorization_codes');
    await queryRunner.dropTable('authorization_interactions');
    await queryRunner.dropTable('browser_sessions');
  }
}
