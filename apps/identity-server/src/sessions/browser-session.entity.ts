import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../database/columns';

/**
 * A browser session (single sign-on): who signed in, when, and until when it
 * lasts. The primary key is a keyed hash of the cookie value, never the value.
 */
@Entity('browser_sessions')
export class BrowserSessionEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 64 })
  id: string;

  @Index('idx_browser_sessions_user')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** When the user typed the password (OIDC `auth_time`, `max_age`). */
  @Column(timestampColumn('auth_time'))
  authTime: Date;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  /** Last use, written at most once a minute; the idle timeout counts from it. */
  @Column(timestampColumn('last_seen_at'))
  lastSeenAt: Date;

  /** The absolute end, however active the session is. */
  @Column(timestampColumn('expires_at'))
  expiresAt: Date;

  @Column(timestampColumn('ended_at', true))
  endedAt: Date | null;

  @Column({ name: 'ended_reason', type: 'varchar', length: 32, nullable: true })
  endedReason: string | null;
}
