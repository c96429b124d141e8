import { Controller, Get } from '@nestjs/common';
import { Public } from '@tessera/auth-guard';

@Controller()
export class HealthController {
  @Public()
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
