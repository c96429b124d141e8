import { Controller, Delete, Get, HttpCode, Ip, NotFoundException, Param } from '@nestjs/common';
import { CurrentPrincipal, Principal, RequireActiveToken } from '@tessera/auth-guard';
import { ConsentsService, ConsentView } from './consents.service';

/**
 * `/api/users/me/consents`: the applications a user has let act for them,
 * and withdrawal (which also revokes what that consent allowed).
 */
// The platform API takes only active tokens of first-party clients (api/api-auth.module.ts).
@RequireActiveToken()
@Controller('api/users/me/consents')
export class ConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<ConsentView[]> {
    return this.consents.list(ownUserId(principal));
  }

  /** 204; 404 when this user gave no consent to that client. */
  @Delete(':clientId')
  @HttpCode(204)
  async withdraw(
    @CurrentPrincipal() principal: Principal,
    @Param('clientId') clientId: string,
    @Ip() ip: string,
  ): Promise<void> {
    await this.consents.withdraw(ownUserId(principal), clientId, ip);
  }
}

function ownUserId(principal: Principal): string {
  if (principal.isClient) throw new NotFoundException('this token belongs to no user account');
  return principal.subject;
}
