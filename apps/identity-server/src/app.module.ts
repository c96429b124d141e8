import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AccountsModule } from './accounts/accounts.module';
import { ApiAuthModule } from './api/api-auth.module';
import { AuditModule } from './audit/audit.module';
import { ClientsModule } from './clients/clients.module';
import { StatusCachesModule } from './common/status-caches.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { KeyRotationScheduler } from './keys/key-rotation.scheduler';
import { KeysModule } from './keys/keys.module';
import { LoggingModule } from './logging/logging.module';
import { OAuthModule } from './oauth/oauth.module';
import { PagesModule } from './pages/pages.module';

/** The composition root of the identity server. */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        StatusCachesModule,
        EventEmitterModule.forRoot(),
        LoggingModule,
        DatabaseModule,
        ApiAuthModule,
        AuditModule,
        AccountsModule,
        ClientsModule,
        KeysModule,
        OAuthModule,
        HealthModule,
        PagesModule,
      ],
      providers: [KeyRotationScheduler],
    };
  }
}
