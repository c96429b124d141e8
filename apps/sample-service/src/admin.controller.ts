import { Controller, Get } from '@nestjs/common';
import { CurrentPrincipal, Principal, RequireRoles } from '@tessera/auth-guard';

@Controller('admin')
@RequireRoles('admin')
export class AdminController {
  @Get('report')
  report(@CurrentPrincipal() principal: Principal): { generatedFor: string; generatedAt: string } {
    return {
      generatedFor: principal.username ?? principal.subject,
      generatedAt: new Date().toISOString(),
    };
  }
}
