import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AccountsService } from './accounts.service';
import { BootstrapAdminService } from './bootstrap-admin.service';
import { PasswordHasher } from './password-hasher';
import { PermissionEntity } from './permission.entity';
import { RoleEntity } from './role.entity';
import { UserEntity } from './user.entity';
import { UsersAdminService } from './users-admin.service';
import { UsersController } from './users.controller';

/** Users, roles, permissions and password checks. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, RoleEntity, PermissionEntity]), AuditModule],
  controllers: [UsersController],
  providers: [AccountsService, UsersAdminService, PasswordHasher, BootstrapAdminService],
  exports: [AccountsService],
})
export class AccountsModule {}
