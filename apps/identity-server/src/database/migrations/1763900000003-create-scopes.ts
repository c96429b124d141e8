import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { createPortableTable, datetime, insertRows, varchar } from './schema-helpers';

/** The scope catalogue, seeded with the sample resource service's scopes (SPEC). */
export class CreateScopes1763900000003 implements MigrationInterface {
  name = 'CreateScopes1763900000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'scopes',
        columns: [
          { ...varchar('name', 128), isPrimary: true },
          { ...varchar('description', 500), default: "''" },
          datetime('created_at'),
        ],
      }),
    );
    const now = new Date();
    await insertRows(queryRunner, 'scopes', [
      { name: 'orders:read', description: 'See your orders', created_at: now },
      { name: 'orders:write', description: 'Place and change your orders', created_at: now },
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('scopes');
  }
}
