import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../database/columns';

/**
 * A signing key pair. It is published in the JWKS from `created_at`, signs from
 * `activates_at` until the next key activates, and stays published until every
 * token it signed has expired. The private key is AES-256-GCM ciphertext.
 */
@Entity('signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'varchar', length: 10 })
  algorithm: string;

  /** Public JWK (JSON), exactly what the JWKS serves. */
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk: string;

  /** `v1.<iv>.<tag>.<ciphertext>` of the PKCS#8 DER private key, base64url; the kid is the AAD. */
  @Column({ name: 'private_key_encrypted', type: 'text' })
  privateKeyEncrypted: string;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Column(timestampColumn('activates_at'))
  activatesAt: Date;

  /** Emergency withdrawal: a revoked key neither signs nor is published. */
  @Column(timestampColumn('revoked_at', true))
  revokedAt: Date | null;
}
