import { Column, Entity, PrimaryColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../database/columns';

/** The review state machine's states (flow 4). Only `approved` clients get tokens. */
export type ClientStatus = 'pending' | 'approved' | 'rejected' | 'suspended' | 'withdrawn';

/**
 * A client registration. It exists from the moment an app team registers;
 * `client_id` is generated only on approval. What the registrant asked for
 * (`requested_*`) is kept apart from what the review granted.
 */
@Entity('clients')
export class ClientEntity {
  @PrimaryColumn(idColumn())
  id: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64, unique: true, nullable: true })
  clientId: string | null;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  contact: string | null;

  /** The user who registered it; null for the bootstrapped client. */
  @Column({ name: 'owner_id', type: 'varchar', length: 36, nullable: true })
  ownerId: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: ClientStatus;

  /** Trusted first-party application; only these may be allowed the password grant (RFC 9700 §2.4). */
  @Column({ name: 'first_party', type: 'boolean', default: false })
  firstParty: boolean;

  /** Granted grant types, space-separated. */
  @Column({ name: 'grant_types', type: 'varchar', length: 255, default: '' })
  grantTypes: string;

  /** Granted scope (RFC 6749 §3.3 syntax); also the default when a request names none. */
  @Column({ type: 'text' })
  scope: string;

  @Column({ name: 'requested_grant_types', type: 'varchar', length: 255, default: '' })
  requestedGrantTypes: string;

  @Column({ name: 'requested_scope', type: 'text' })
  requestedScope: string;

  /** Registered redirect URIs, a JSON array, matched exactly. */
  @Column({ name: 'redirect_uris', type: 'text' })
  redirectUris: string;

  @Column({ name: 'status_reason', type: 'varchar', length: 500, nullable: true })
  statusReason: string | null;

  @Column({ name: 'reviewed_by', type: 'varchar', length: 36, nullable: true })
  reviewedBy: string | null;

  @Column(timestampColumn('reviewed_at', true))
  reviewedAt: Date | null;

  /**
   * Access tokens issued at or before this instant are inactive for good: set
   * on suspension, so that reinstating the client does not revive them.
   */
  @Column(timestampColumn('tokens_revoked_before', true))
  tokensRevokedBefore: Date | null;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Column(timestampColumn('updated_at'))
  updatedAt: Date;
}
