import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../../database/columns';

/** An access token revoked before its expiry (RFC 7009); introspection reports it inactive. */
@Entity('revoked_access_tokens')
export class RevokedAccessTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  jti: string;

  /** The token's own `exp`: after it the row is useless and may be purged. */
  @Column(timestampColumn('expires_at'))
  expiresAt: Date;

  @Column(timestampColumn('revoked_at'))
  revokedAt: Date;
}
