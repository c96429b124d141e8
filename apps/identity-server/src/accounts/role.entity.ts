import { Column, Entity, JoinTable, ManyToMany, PrimaryColumn } from 'typeorm';
import { idColumn } from '../database/columns';
import { PermissionEntity } from './permission.entity';

/** A role (`admin`, `developer`) and the permissions it grants. */
@Entity('roles')
export class RoleEntity {
  @PrimaryColumn(idColumn())
  id: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  name: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  description: string;

  @ManyToMany(() => PermissionEntity, { eager: true })
  @JoinTable({
    name: 'role_permissions',
    joinColumn: { name: 'role_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'permission_id', referencedColumnName: 'id' },
  })
  permissions: PermissionEntity[];
}
