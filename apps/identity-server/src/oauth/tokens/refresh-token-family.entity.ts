import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../../database/columns';

/**
 * A grant: the chain of refresh tokens rotated from one authentication. It binds
 * them to a client and a user, and revoking it (reuse detected, RFC 7009
 * revocation, client suspended) stops every token of the chain at once,
 * including a successor issued concurrently (RFC 9700 §4.14.2).
 *
 * The row also holds the chain's one live token, as a hash: a rotation is a
 * single conditional UPDATE that swaps it for its successor's (see
 * `RefreshTokenStore.redeem`). Earlier tokens are not kept: a sealed token
 * names its grant, so one that opens but is not the current one is a replay.
 * A grant given without refresh tokens has no token columns set.
 */
@Entity('refresh_token_families')
export class RefreshTokenFamilyEntity {
  @PrimaryColumn(idColumn())
  id: string;

  /** `clients.id` (the registration), so that tokens follow the client through status changes. */
  @Index('idx_refresh_token_families_client')
  @Column({ name: 'client_ref', type: 'varchar', length: 36 })
  clientRef: string;

  @Index('idx_refresh_token_families_user')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** When the user authenticated (RFC 9068 `auth_time`), carried through rotations. */
  @Column(timestampColumn('auth_time'))
  authTime: Date;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Column(timestampColumn('revoked_at', true))
  revokedAt: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 64, nullable: true })
  revokedReason: string | null;

  /** HMAC of the live refresh token (never the token); null when the grant has none. */
  @Column({ name: 'token_hash', type: 'varchar', length: 64, nullable: true })
  tokenHash: string | null;

  @Column(timestampColumn('token_issued_at', true))
  tokenIssuedAt: Date | null;

  @Column(timestampColumn('token_expires_at', true))
  tokenExpiresAt: Date | null;

  /**
   * How many times the chain has been rotated: for operators (a client that
   * refreshes far more often than its access tokens expire stands out) and for
   * tests that a racing redemption rotated it exactly once. Nothing decides on it.
   */
  @Column({ type: 'int', default: 0 })
  rotations: number;
}
