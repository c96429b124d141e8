import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { StatusCache } from '../../common/status-cache';
import { StatusCaches } from '../../common/status-caches';
import { isUniqueViolation } from '../../database/errors';
import { RevokedAccessTokenEntity } from './revoked-access-token.entity';

/**
 * Access tokens revoked before expiry (RFC 7009 §2: the server may revoke
 * access tokens). Self-contained JWTs stay valid for verifiers that check
 * offline until `exp`; introspection and online checks consult this list,
 * through a status cache by jti that {@link revoke} invalidates.
 */
@Injectable()
export class AccessTokenRevocations {
  /** Revoked or not, by jti (jtis come from verified tokens only, never from raw input). */
  private readonly revoked: StatusCache<string, boolean>;

  constructor(
    @InjectRepository(RevokedAccessTokenEntity)
    private readonly rows: Repository<RevokedAccessTokenEntity>,
    caches: StatusCaches,
  ) {
    this.revoked = caches.create('revoked-access-tokens', 10_000);
  }

  async revoke(jti: string, expiresAt: Date): Promise<void> {
    await this.revoked.afterWrite(async () => {
      try {
        await this.rows.insert({ jti, expiresAt, revokedAt: new Date() });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error; // already revoked
      }
    }, jti);
  }

  async isRevoked(jti: string): Promise<boolean> {
    return this.revoked.get(jti, async () => {
      // A plain SELECT: this runs on every introspection and online check (docs/performance.md).
      const found: unknown[] = await this.rows.query(
        'SELECT jti FROM revoked_access_tokens WHERE jti = ? LIMIT 1',
        [jti],
      );
      return found.length > 0;
    });
  }
}
