import { MigrationInterface, QueryRunner } from 'typeorm';
import { insertRows } from './schema-helpers';

/**
 * The OpenID Connect scopes (Core 1.0 §3.1.2.1, §5.4) in the scope catalogue,
 * so that registrations can ask for them and the consent page can describe
 * them in words a user understands. An admin may already have added one of
 * these names by hand: such a row is kept as it is.
 */
const OIDC_SCOPES = [
  { name: 'openid', description: 'Sign you in with your Tessera account' },
  { name: 'profile', description: 'See your username and profile' },
  { name: 'email', description: 'See your email address' },
];

export class SeedOidcScopes1763900000009 implements MigrationInterface {
  name = 'SeedOidcScopes1763900000009';

  async up(queryRunner: QueryRunner): Promise<void> {
    const names = OIDC_SCOPES.map((scope) => scope.name);
    const existing: Array<{ name: string }> = await queryRunner.query(
      `SELECT name FROM scopes WHERE name IN (${names.map(() => '?').join(', ')})`,
      names,
    );
    // The table compares exactly (utf8mb4_bin), but compare in code too.
    const present = new Set(existing.map((row) => row.name));
    const now = new Date();
    await insertRows(
      queryRunner,
      'scopes',
      OIDC_SCOPES.filter((scope) => !present.has(scope.name)).map((scope) => ({
        ...scope,
        created_at: now,
      })),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const names = OIDC_SCOPES.map((scope) => scope.name);
    await queryRunner.query(
      `DELETE FROM scopes WHERE name IN (${names.map(() => '?').join(', ')})`,
      names,
    );
  }
}
