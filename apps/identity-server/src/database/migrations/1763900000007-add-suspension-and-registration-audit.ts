import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { datetime, uuidRef } from './schema-helpers';

/**
 * For the review workflow: `clients.tokens_revoked_before` (a suspension ends
 * the access tokens issued before it, for good) and `audit_events.client_ref`
 * (the registration an event is about, so a client's whole history, including
 * what happened before it had a client_id, can be listed).
 */
export class AddSuspensionAndRegistrationAudit1763900000007 implements MigrationInterface {
  name = 'AddSuspensionAndRegistrationAudit1763900000007';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'clients',
      new TableColumn(datetime('tokens_revoked_before', true)),
    );
    await queryRunner.addColumn('audit_events', new TableColumn(uuidRef('client_ref', true)));
    await queryRunner.createIndex(
      'audit_events',
      new TableIndex({ name: 'idx_audit_events_client_ref', columnNames: ['client_ref'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('audit_events', 'idx_audit_events_client_ref');
    await queryRunner.dropColumn('audit_events', 'client_ref');
    await queryRunner.dropColumn('clients', 'tokens_revoked_before');
  }
}
