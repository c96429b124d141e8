import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../database/columns';

/** The platform's scope catalogue: the scopes clients may ask for, with a plain-words description. */
@Entity('scopes')
export class ScopeEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  description: string;

  @Column(timestampColumn('created_at'))
  createdAt: Date;
}
