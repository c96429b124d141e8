import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AppConfig, loadConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { KeyRingService } from './keys/key-ring.service';
import { KeysModule } from './keys/keys.module';

const USAGE = `Usage: tessera <command>
  keys:list            list signing keys and their state
  keys:rotate [--now]  create the next signing key; it signs after SIGNING_KEY_ROTATION_LEAD_SECONDS,
                       or at once with --now (emergency: verifiers with a cached JWKS will refuse its
                       tokens until they refetch)
  keys:revoke <kid>    withdraw a key at once: it stops signing and leaves the JWKS
Reads the same environment as the server (DATABASE_URL, KEY_ENCRYPTION_KEY, ...).`;

function cliModule(config: AppConfig) {
  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule, AuditModule, KeysModule] })
  class CliModule {}
  return CliModule;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || !['keys:list', 'keys:rotate', 'keys:revoke'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const app = await NestFactory.createApplicationContext(cliModule(config), { logger: ['error', 'warn'], abortOnError: false });
  try {
    const ring = app.get(KeyRingService);
    if (command === 'keys:rotate') {
      const key = await ring.rotate({ immediate: args.includes('--now') });
      process.stdout.write(`created ${key.kid} (${key.algorithm}); published now, signs from ${key.activatesAt.toISOString()}\n`);
    } else if (command === 'keys:revoke') {
      const kid = args[0];
      if (!kid) throw new Error('keys:revoke needs a kid');
      if (!(await ring.revoke(kid))) throw new Error(`no key ${kid}`);
      process.stdout.write(`revoked ${kid}\n`);
    }
    for (const key of await ring.list()) {
      const state = key.revokedAt ? 'revoked' : key.signing ? 'signing' : key.published ? 'published' : 'retired';
      process.stdout.write(`${key.kid}  ${key.algorithm}  ${state.padEnd(9)}  activates ${key.activatesAt.toISOString()}\n`);
    }
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
