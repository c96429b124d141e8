import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { createPortableTable, datetime, text, varchar } from './schema-helpers';

/** Signing keys with their encrypted private parts and their publication timeline. */
export class CreateSigningKeys1763900000004 implements MigrationInterface {
  name = 'CreateSigningKeys1763900000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'signing_keys',
        columns: [
          { ...varchar('kid', 64), isPrimary: true },
          varchar('algorithm', 10),
          text('public_jwk'),
          text('private_key_encrypted'),
          datetime('created_at'),
          datetime('activates_at'),
          datetime('revoked_at', true),
        ],
        indices: [{ name: 'idx_signing_keys_activates', columnNames: ['activates_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('signing_keys');
  }
}
