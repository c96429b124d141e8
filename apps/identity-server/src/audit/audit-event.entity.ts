import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../database/columns';

/** One security event. Rows are only ever inserted. */
@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryColumn(idColumn())
  id: string;

  @Index('idx_audit_events_type')
  @Column({ type: 'varchar', length: 64 })
  type: string;

  /** User id of who acted, when a user did. */
  @Index('idx_audit_events_actor')
  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true })
  actorId: string | null;

  /** OAuth `client_id` involved, when one is. */
  @Index('idx_audit_events_client')
  @Column({ name: 'client_id', type: 'varchar', length: 64, nullable: true })
  clientId: string | null;

  /** The client registration (`clients.id`) the event is about, also before it has a client_id. */
  @Index('idx_audit_events_client_ref')
  @Column({ name: 'client_ref', type: 'varchar', length: 36, nullable: true })
  clientRef: string | null;

  /** User the event is about (for example the locked account). */
  @Column({ name: 'subject_id', type: 'varchar', length: 36, nullable: true })
  subjectId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  /** JSON object with event-specific facts; never a secret. */
  @Column({ type: 'text' })
  details: string;

  @Index('idx_audit_events_created')
  @Column(timestampColumn('created_at'))
  createdAt: Date;
}
