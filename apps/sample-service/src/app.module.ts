import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/**
 * The sample resource service. For now only `/health`; the protected routes of
 * SPEC (`/me`, `/orders`, `/admin/report`) arrive with the auth-guard library.
 */
@Module({ controllers: [HealthController] })
export class AppModule {}
