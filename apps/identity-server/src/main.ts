import 'reflect-metadata';
import { createApp } from './app.factory';
import { AppConfig, loadConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  try {
    const app = await createApp(config);
    await app.listen(config.port);
    process.stdout.write(`Tessera identity server listening on port ${config.port}, issuer ${config.issuer}\n`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Tessera could not start: ${reason}\n`);
    process.exit(1);
  }
}

void bootstrap();
