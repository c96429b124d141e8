import { Controller, Get } from '@nestjs/common';
import { CurrentPrincipal, Principal } from '@tessera/auth-guard';

export interface MeResponse {
  subject: string;
  client: string;
  scopes: string[];
  roles: string[];
  permissions: string[];
}

/** Any valid access token: who is calling. */
@Controller()
export class MeController {
  @Get('me')
  me(@CurrentPrincipal() principal: Principal): MeResponse {
    return {
      subject: principal.subject,
      client: principal.clientId,
      scopes: principal.scopes,
      roles: principal.roles,
      permissions: principal.permissions,
    };
  }
}
