import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUniqueViolation } from '../../database/errors';
import { RevokedAccessTokenEntity } from './revoked-access-token.entity';

/**
 * Access tokens revoked before expiry (RFC 7009 §2: the server may revoke
 * access tokens). Self-contained JWTs stay valid for verifiers that check
 * offline until `exp`; introspection and online checks consult this list.
 */
@Injectable()
export class AccessTokenRevocations {
  constructor(
    @InjectRepository(RevokedAccessTokenEntity)
    private readonly rows: Repository<RevokedAccessTokenEntity>,
  ) {}

  async revoke(jti: string, expiresAt: Date): Promise<void> {
    try {
      await this.rows.insert({ jti, expiresAt, revokedAt: new Date() });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // already revoked
    }
  }

  async isRevoked(jti: string): Promise<boolean> {
    // A plain SELECT: this runs on every introspection and online check (docs/performance.md).
    const found: unknown[] = await this.rows.query(
      'SELECT jti FROM revoked_access_tokens WHERE jti = ? LIMIT 1',
      [jti],
    );
    return found.length > 0;
  }
}
