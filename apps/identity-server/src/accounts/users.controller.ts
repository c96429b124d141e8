import {
  Body,
  Controller,
  Get,
  HttpCode,
  Ip,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  CurrentPrincipal,
  Principal,
  RequireActiveToken,
  RequirePermissions,
} from '@tessera/auth-guard';
import { AccountsService } from './accounts.service';
import { ChangePasswordDto } from './dto/change-password.dto';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { ReplaceRolesDto } from './dto/replace-roles.dto';
import { SetStatusDto } from './dto/set-status.dto';
import {
  UserPageResponse,
  UserResponse,
  toUserPageResponse,
  toUserResponse,
} from './user.response';
import { UsersAdminService } from './users-admin.service';

/**
 * `/api/users`: accounts as the API shows them (never a hash). The global
 * guard has validated the bearer token already; the decorators below add what
 * each route needs from it.
 *
 * Admin routes require permissions, not the role name: the seeded `admin` role
 * holds `users:read` and `users:write` (migration SeedRoles), so SPEC's
 * "admin" is met, while reading and changing stay separable (a support role
 * with `users:read` alone needs a data change, not a code change).
 */
// The platform API takes only active tokens of first-party clients (api/api-auth.module.ts).
@RequireActiveToken()
@Controller('api/users')
export class UsersController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly admin: UsersAdminService,
  ) {}

  // The `me` routes come before `:id`, so that `me` is never taken for an id.

  /** SPEC: any user token reads its own account. */
  @Get('me')
  async me(@CurrentPrincipal() principal: Principal): Promise<UserResponse> {
    const account = await this.accounts.findAccount(ownUserId(principal));
    if (!account) throw new NotFoundException('this token belongs to no user account');
    return toUserResponse(account);
  }

  /** The owner changes their password: 204, or 400 for a wrong current password (counted toward the lockout). */
  @Post('me/password')
  @HttpCode(204)
  async changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChangePasswordDto,
    @Ip() ip: string,
  ): Promise<void> {
    await this.accounts.changePassword(
      ownUserId(principal),
      body.currentPassword,
      body.newPassword,
      ip,
    );
  }

  @Get()
  @RequirePermissions('users:read')
  async list(@Query() query: ListUsersQuery): Promise<UserPageResponse> {
    return toUserPageResponse(await this.admin.list(query.limit, query.offset));
  }

  /** SPEC (fixed): 201 with the account, never a password or hash. */
  @Post()
  @RequirePermissions('users:write')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateUserDto,
    @Ip() ip: string,
  ): Promise<UserResponse> {
    const account = await this.admin.create(
      { id: principal.subject, ip },
      { username: body.username, password: body.password, email: body.email, roles: body.roles },
    );
    return toUserResponse(account);
  }

  @Get(':id')
  @RequirePermissions('users:read')
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<UserResponse> {
    return toUserResponse(await this.admin.get(id));
  }

  /** PUT: the body is the complete new role set, so repeating the request changes nothing more. */
  @Put(':id/roles')
  @RequirePermissions('users:write')
  async replaceRoles(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ReplaceRolesDto,
    @Ip() ip: string,
  ): Promise<UserResponse> {
    return toUserResponse(
      await this.admin.replaceRoles({ id: principal.subject, ip }, id, body.roles),
    );
  }

  @Patch(':id/status')
  @RequirePermissions('users:write')
  async setStatus(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: SetStatusDto,
    @Ip() ip: string,
  ): Promise<UserResponse> {
    return toUserResponse(
      await this.admin.setStatus({ id: principal.subject, ip }, id, body.status),
    );
  }
}

/**
 * The caller's user id. A client acting as itself (client credentials, RFC
 * 6749 §4.4) has no account: 404, because `/me` names a resource that does not
 * exist for it (403 would suggest that some permission could help). Checked
 * before any look-up, so a client whose id happens to equal a user id reads
 * nothing.
 */
function ownUserId(principal: Principal): string {
  if (principal.isClient) throw new NotFoundException('this token belongs to no user account');
  return principal.subject;
}
