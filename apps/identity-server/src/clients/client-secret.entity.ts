import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../database/columns';

/**
 * One secret of a client, stored only as a keyed hash. Several rows per client
 * allow rotation with a grace period: the old secret keeps working until `expires_at`.
 */
@Entity('client_secrets')
export class ClientSecretEntity {
  @PrimaryColumn(idColumn())
  id: string;

  @Index('idx_client_secrets_client')
  @Column({ name: 'client_ref', type: 'varchar', length: 36 })
  clientRef: string;

  /** HMAC-SHA-256 of the secret under a server key, hex. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash: string;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Column(timestampColumn('expires_at', true))
  expiresAt: Date | null;

  @Column(timestampColumn('revoked_at', true))
  revokedAt: Date | null;
}
