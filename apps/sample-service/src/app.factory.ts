import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuardModuleOptions } from '@tessera/auth-guard';
import { AppModule } from './app.module';

/** Builds the sample service (used by `main.ts` and by the tests). */
export async function createSampleApp(guard: AuthGuardModuleOptions): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(guard), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  (app.getHttpAdapter().getInstance() as { disable(name: string): void }).disable('x-powered-by');
  // As in the identity server: idle connections close on the client's side first (no ECONNRESET races).
  const server = app.getHttpServer() as { keepAliveTimeout: number; headersTimeout: number };
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return app;
}
