import { Column, Entity, JoinTable, ManyToMany, PrimaryColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../database/columns';
import { RoleEntity } from './role.entity';

export type UserStatus = 'active' | 'disabled' | 'locked';

/** An account. `username_normalized` (lower case) carries the case-insensitive uniqueness. */
@Entity('users')
export class UserEntity {
  @PrimaryColumn(idColumn())
  id: string;

  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ name: 'username_normalized', type: 'varchar', length: 64, unique: true })
  usernameNormalized: string;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  /** bcrypt hash (`$2b$<cost>$...`); never leaves the accounts module. */
  @Column({ name: 'password_hash', type: 'varchar', length: 100 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16 })
  status: UserStatus;

  @Column({ name: 'failed_login_count', type: 'int', default: 0 })
  failedLoginCount: number;

  /** Set with status `locked` by the lockout policy; a lock whose time has passed no longer applies. */
  @Column(timestampColumn('locked_until', true))
  lockedUntil: Date | null;

  @Column(timestampColumn('last_login_at', true))
  lastLoginAt: Date | null;

  @Column(timestampColumn('password_changed_at'))
  passwordChangedAt: Date;

  @Column(timestampColumn('created_at'))
  createdAt: Date;

  @Column(timestampColumn('updated_at'))
  updatedAt: Date;

  @ManyToMany(() => RoleEntity, { eager: true })
  @JoinTable({
    name: 'user_roles',
    joinColumn: { name: 'user_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'role_id', referencedColumnName: 'id' },
  })
  roles: RoleEntity[];
}
