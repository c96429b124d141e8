import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { createPortableTable, datetime, uuidPk, uuidRef, varchar } from './schema-helpers';

/** Users, roles, permissions and the two join tables. */
export class CreateAccounts1763900000000 implements MigrationInterface {
  name = 'CreateAccounts1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'permissions',
        columns: [
          uuidPk(),
          varchar('name', 128),
          { ...varchar('description', 500), default: "''" },
        ],
        uniques: [{ name: 'uq_permissions_name', columnNames: ['name'] }],
      }),
    );
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'roles',
        columns: [uuidPk(), varchar('name', 64), { ...varchar('description', 500), default: "''" }],
        uniques: [{ name: 'uq_roles_name', columnNames: ['name'] }],
      }),
    );
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'role_permissions',
        columns: [
          { ...uuidRef('role_id'), isPrimary: true },
          { ...uuidRef('permission_id'), isPrimary: true },
        ],
        foreignKeys: [
          {
            columnNames: ['role_id'],
            referencedTableName: 'roles',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['permission_id'],
            referencedTableName: 'permissions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'users',
        columns: [
          uuidPk(),
          varchar('username', 64),
          varchar('username_normalized', 64),
          varchar('email', 254, true),
          varchar('password_hash', 100),
          varchar('status', 16),
          { name: 'failed_login_count', type: 'int', default: 0 },
          datetime('locked_until', true),
          datetime('last_login_at', true),
          datetime('password_changed_at'),
          datetime('created_at'),
          datetime('updated_at'),
        ],
        uniques: [{ name: 'uq_users_username_normalized', columnNames: ['username_normalized'] }],
      }),
    );
    await createPortableTable(
      queryRunner,
      new Table({
        name: 'user_roles',
        columns: [
          { ...uuidRef('user_id'), isPrimary: true },
          { ...uuidRef('role_id'), isPrimary: true },
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['role_id'],
            referencedTableName: 'roles',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['user_roles', 'users', 'role_permissions', 'roles', 'permissions']) {
      await queryRunner.dropTable(table);
    }
  }
}
