import { DynamicModule, Module } from '@nestjs/common';
import { AuthGuardModule, AuthGuardModuleOptions } from '@tessera/auth-guard';
import { AdminController } from './admin.controller';
import { HealthController } from './health.controller';
import { MeController } from './me.controller';
import { OrdersController } from './orders.controller';

/** The sample resource service: SPEC's fixed routes, guarded by `@tessera/auth-guard` as any team would. */
@Module({})
export class AppModule {
  static register(guard: AuthGuardModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [AuthGuardModule.forRoot(guard)],
      controllers: [HealthController, MeController, OrdersController, AdminController],
    };
  }
}
