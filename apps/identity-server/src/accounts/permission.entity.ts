import { Column, Entity, PrimaryColumn } from 'typeorm';
import { idColumn } from '../database/columns';

/** A named capability (`users:write`) that roles grant and that tokens carry in `permissions`. */
@Entity('permissions')
export class PermissionEntity {
  @PrimaryColumn(idColumn())
  id: string;

  @Column({ type: 'varchar', length: 128, unique: true })
  name: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  description: string;
}
