import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../../database/columns';

/** The scopes a user allowed a client, remembered so the consent page is not shown again. */
@Entity('consents')
@Index('uq_consents_user_client', ['userId', 'clientRef'], { unique: true })
export class ConsentEntity {
  @PrimaryColumn(idColumn())
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Index('idx_consents_client')
  @Column({ name: 'client_ref', type: 'varchar', length: 36 })
  clientRef: string;

  /** Space-separated scope tokens consented to. */
  @Column({ type: 'text' })
  scope: string;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Column(timestampColumn('updated_at'))
  updatedAt: Date;
}
