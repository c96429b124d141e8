import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../../database/columns';

/**
 * One refresh token of a family, stored as a hash. Each rotation consumes a
 * row and adds its successor; whether any of them still works is decided by
 * the family (see {@link RefreshTokenFamilyEntity}).
 */
@Entity('refresh_tokens')
export class RefreshTokenEntity {
  @PrimaryColumn(idColumn())
  id: string;

  @Index('uq_refresh_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Index('idx_refresh_tokens_family')
  @Column({ name: 'family_id', type: 'varchar', length: 36 })
  familyId: string;

  @Column({ type: 'text' })
  scope: string;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Column(timestampColumn('expires_at'))
  expiresAt: Date;

  /** Set once, by the single conditional UPDATE that redeems the token. */
  @Column(timestampColumn('consumed_at', true))
  consumedAt: Date | null;
}
