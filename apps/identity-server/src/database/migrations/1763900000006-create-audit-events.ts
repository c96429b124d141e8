import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { createPortableTable, datetime, text, uuidPk, uuidRef, varchar } from './schema-helpers';

/** The append-only audit log. */
export class CreateAuditEvents1763900000006 implements MigrationInterface {
  name = 'CreateAuditEvents1763900000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'audit_events',
        columns: [
          uuidPk(),
          varchar('type', 64),
          uuidRef('actor_id', true),
          varchar('client_id', 64, true),
          uuidRef('subject_id', true),
          varchar('ip', 64, true),
          text('details'),
          datetime('created_at'),
        ],
        indices: [
          { name: 'idx_audit_events_type', columnNames: ['type'] },
          { name: 'idx_audit_events_actor', columnNames: ['actor_id'] },
          { name: 'idx_audit_events_client', columnNames: ['client_id'] },
          { name: 'idx_audit_events_created', columnNames: ['created_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events');
  }
}
