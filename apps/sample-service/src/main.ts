import 'reflect-metadata';
import { createSampleApp } from './app.factory';
import { sampleConfigFromEnv } from './sample.config';

async function bootstrap(): Promise<void> {
  const config = sampleConfigFromEnv(process.env);
  const app = await createSampleApp(config.guard);
  app.enableShutdownHooks();
  await app.listen(config.port);
  process.stdout.write(
    `sample service listening on port ${config.port}, trusting ${config.guard.issuer}\n`,
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `sample service could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
