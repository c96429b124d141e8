import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../../database/columns';

/**
 * An authorization request waiting for the user (a login, a consent). It
 * lives server side so that nothing the browser could alter travels in forms.
 */
@Entity('authorization_interactions')
export class AuthorizationInteractionEntity {
  /** 128 random bits, base64url: the `{uid}` of `/interaction/{uid}`. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 32 })
  id: string;

  /** Keyed hash of the interaction cookie's value: only the browser that started it may continue. */
  @Column({ name: 'browser_binding_hash', type: 'varchar', length: 64 })
  browserBindingHash: string;

  /** The validated authorization request, JSON ({@link PendingAuthorization}). */
  @Column({ type: 'text' })
  params: string;

  /** Set once the user is known (a live session, or the login step done). */
  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  @Column({ name: 'session_id', type: 'varchar', length: 64, nullable: true })
  sessionId: string | null;

  @Column(timestampColumn('auth_time', true))
  authTime: Date | null;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Column(timestampColumn('expires_at'))
  expiresAt: Date;
}
