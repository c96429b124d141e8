import { Column, Entity, PrimaryColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../../database/columns';

/**
 * An authorization code (RFC 6749 §4.1.2), stored as a keyed hash and bound
 * to the client, the redirect URI, the PKCE challenge and the user.
 */
@Entity('authorization_codes')
export class AuthorizationCodeEntity {
  @PrimaryColumn(idColumn())
  id: string;

  @Column({ name: 'code_hash', type: 'varchar', length: 64, unique: true })
  codeHash: string;

  @Column({ name: 'client_ref', type: 'varchar', length: 36 })
  clientRef: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'redirect_uri', type: 'text' })
  redirectUri: string;

  /** BASE64URL(SHA-256(verifier)) (RFC 7636 §4.2, S256 only). */
  @Column({ name: 'code_challenge', type: 'varchar', length: 128 })
  codeChallenge: string;

  @Column({ type: 'text' })
  scope: string;

  /** OIDC `nonce` of the request, copied into the ID token. */
  @Column({ type: 'text', nullable: true })
  nonce: string | null;

  @Column(timestampColumn('auth_time'))
  authTime: Date;

  @Column({ name: 'session_id', type: 'varchar', length: 64, nullable: true })
  sessionId: string | null;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Column(timestampColumn('expires_at'))
  expiresAt: Date;

  @Column(timestampColumn('consumed_at', true))
  consumedAt: Date | null;

  /** The grant (refresh-token family) the code's tokens belong to: revoked if the code is replayed. */
  @Column({ name: 'grant_id', type: 'varchar', length: 36, nullable: true })
  grantId: string | null;
}
