import { randomUUID } from 'node:crypto';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { insertRows } from './schema-helpers';

const PERMISSIONS: Record<string, string> = {
  'users:read': 'Read any account',
  'users:write': 'Create accounts, change their roles and status',
  'clients:register': 'Register client applications',
  'clients:review': 'Approve, reject, suspend and reinstate client registrations',
  'scopes:write': 'Manage the scope catalogue',
  'audit:read': 'Read the audit log',
};

const ROLES: Record<string, { description: string; permissions: string[] }> = {
  admin: {
    description: 'Administers users, roles and client reviews',
    permissions: Object.keys(PERMISSIONS),
  },
  developer: { description: 'Registers client applications', permissions: ['clients:register'] },
};

/** The built-in roles `admin` and `developer` and their permissions. */
export class SeedRoles1763900000001 implements MigrationInterface {
  name = 'SeedRoles1763900000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const permissionIds = new Map<string, string>();
    for (const [name, description] of Object.entries(PERMISSIONS)) {
      const id = randomUUID();
      permissionIds.set(name, id);
      await insertRows(queryRunner, 'permissions', [{ id, name, description }]);
    }
    for (const [name, role] of Object.entries(ROLES)) {
      const id = randomUUID();
      await insertRows(queryRunner, 'roles', [{ id, name, description: role.description }]);
      for (const permission of role.permissions) {
        await insertRows(queryRunner, 'role_permissions', [
          { role_id: id, permission_id: permissionIds.get(permission) ?? null },
        ]);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of Object.keys(ROLES))
      await queryRunner.query('DELETE FROM roles WHERE name = ?', [name]);
    for (const name of Object.keys(PERMISSIONS))
      await queryRunner.query('DELETE FROM permissions WHERE name = ?', [name]);
  }
}
