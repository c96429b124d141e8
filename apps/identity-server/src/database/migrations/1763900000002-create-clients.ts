import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { createPortableTable, datetime, text, uuidPk, uuidRef, varchar } from './schema-helpers';

/** Client registrations (designed for the review workflow) and their hashed secrets. */
export class CreateClients1763900000002 implements MigrationInterface {
  name = 'CreateClients1763900000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'clients',
        columns: [
          uuidPk(),
          varchar('client_id', 64, true),
          varchar('name', 100),
          varchar('description', 1000, true),
          varchar('contact', 254, true),
          uuidRef('owner_id', true),
          varchar('status', 16),
          { name: 'first_party', type: 'boolean', default: false },
          { ...varchar('grant_types', 255), default: "''" },
          text('scope'),
          { ...varchar('requested_grant_types', 255), default: "''" },
          text('requested_scope'),
          text('redirect_uris'),
          varchar('status_reason', 500, true),
          uuidRef('reviewed_by', true),
          datetime('reviewed_at', true),
          datetime('created_at'),
          datetime('updated_at'),
        ],
        uniques: [{ name: 'uq_clients_client_id', columnNames: ['client_id'] }],
        indices: [
          { name: 'idx_clients_status', columnNames: ['status'] },
          { name: 'idx_clients_owner', columnNames: ['owner_id'] },
        ],
        foreignKeys: [
          {
            columnNames: ['owner_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
        ],
      }),
    );
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'client_secrets',
        columns: [
          uuidPk(),
          uuidRef('client_ref'),
          { name: 'secret_hash', type: 'varchar', length: '64' },
          datetime('created_at'),
          datetime('expires_at', true),
          datetime('revoked_at', true),
        ],
        indices: [{ name: 'idx_client_secrets_client', columnNames: ['client_ref'] }],
        foreignKeys: [
          {
            columnNames: ['client_ref'],
            referencedTableName: 'clients',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('client_secrets');
    await queryRunner.dropTable('clients');
  }
}
