import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig, loadConfig } from './config/app-config';

/** How long in-flight requests get to finish after SIGTERM before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  let app: INestApplication;
  try {
    app = await createApp(config);
    await app.listen(config.port);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Tessera could not start: ${reason}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `Tessera identity server listening on port ${config.port}, issuer ${config.issuer}\n`,
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown(app, signal));
  }
}

/** Graceful shutdown: stop accepting, let in-flight requests finish, run shutdown hooks, exit 0. */
async function shutdown(app: INestApplication, signal: string): Promise<void> {
  process.stdout.write(`${signal} received: finishing in-flight requests\n`);
  setTimeout(() => {
    process.stderr.write('shutdown deadline passed; exiting\n');
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS).unref();
  // close() ends the connections idle right now; connections of in-flight
  // requests turn idle later and would linger until their keep-alive ends.
  const server = app.getHttpServer() as { closeIdleConnections(): void };
  setInterval(() => server.closeIdleConnections(), 250).unref();
  try {
    await app.close();
    process.exit(0);
  } catch (error) {
    process.stderr.write(
      `shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}

void bootstrap();
