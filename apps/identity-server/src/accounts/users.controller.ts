import { Controller, Get, NotFoundException } from '@nestjs/common';
import { CurrentPrincipal, Principal } from '@tessera/auth-guard';
import { AccountsService } from './accounts.service';
import { UserResponse, toUserResponse } from './user.response';

/** `/api/users`: accounts as the API shows them (never a hash). */
@Controller('api/users')
export class UsersController {
  constructor(private readonly accounts: AccountsService) {}

  /** SPEC: any user token reads its own account. */
  @Get('me')
  async me(@CurrentPrincipal() principal: Principal): Promise<UserResponse> {
    const account = principal.isClient
      ? null
      : await this.accounts.findPrincipal(principal.subject);
    if (!account) throw new NotFoundException('this token belongs to no user account');
    return toUserResponse(account);
  }
}
