import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuditModule } from './audit/audit.module';
import { ClientsModule } from './clients/clients.module';
import { ClientsService } from './clients/clients.service';
import { ScopeCatalogueService } from './clients/scope-catalogue.service';
import { printOnce } from './common/print-once';
import { StatusCachesModule } from './common/status-caches.module';
import { randomSecret } from './crypto/secret-hasher';
import { AppConfig, loadConfig } from './config/app-config';
import { UUID_SHAPE } from './config/environment';
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
  clients:create <client_id> --grant <type> [--grant <type>...] [--scope "a b"] [--first-party]
                       operator command: create an approved client and print its secret once
                       (app teams register through /api/clients and admin review instead)
Reads the same environment as the server (DATABASE_URL, KEY_ENCRYPTION_KEY, ...).`;

function cliModule(config: AppConfig) {
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      StatusCachesModule,
      EventEmitterModule.forRoot(),
      DatabaseModule,
      AuditModule,
      KeysModule,
      ClientsModule,
    ],
  })
  class CliModule {}
  return CliModule;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (
    !command ||
    !['keys:list', 'keys:rotate', 'keys:revoke', 'clients:create'].includes(command)
  ) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const app = await NestFactory.createApplicationContext(cliModule(config), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    if (command === 'clients:create')
      return await createClient(app.get(ClientsService), app.get(ScopeCatalogueService), args);
    const ring = app.get(KeyRingService);
    if (command === 'keys:rotate') {
      const key = await ring.rotate({ immediate: args.includes('--now') });
      process.stdout.write(
        `created ${key.kid} (${key.algorithm}); published now, signs from ${key.activatesAt.toISOString()}\n`,
      );
    } else if (command === 'keys:revoke') {
      const kid = args[0];
      if (!kid) throw new Error('keys:revoke needs a kid');
      if (!(await ring.revoke(kid))) throw new Error(`no key ${kid}`);
      process.stdout.write(`revoked ${kid}\n`);
    }
    for (const key of await ring.list()) {
      const state = key.revokedAt
        ? 'revoked'
        : key.signing
          ? 'signing'
          : key.published
            ? 'published'
            : 'retired';
      process.stdout.write(
        `${key.kid}  ${key.algorithm}  ${state.padEnd(9)}  activates ${key.activatesAt.toISOString()}\n`,
      );
    }
    return 0;
  } finally {
    await app.close();
  }
}

const SUPPORTED_GRANTS = ['password', 'client_credentials', 'refresh_token'];

async function createClient(
  clients: ClientsService,
  catalogue: ScopeCatalogueService,
  args: string[],
): Promise<number> {
  const [clientId, ...options] = args;
  const grants: string[] = [];
  let scope: string | undefined;
  let firstParty = false;
  for (let i = 0; i < options.length; i++) {
    if (options[i] === '--grant') grants.push(options[++i] ?? '');
    else if (options[i] === '--scope') scope = options[++i];
    else if (options[i] === '--first-party') firstParty = true;
    else throw new Error(`unknown option ${options[i]}`);
  }
  if (!clientId || !/^[A-Za-z0-9._-]{1,64}$/.test(clientId))
    throw new Error('clients:create needs a client_id of 1-64 of A-Z a-z 0-9 . _ -');
  // RFC 9068 §5: sub = client_id for a client acting as itself; user subs are UUIDs.
  if (UUID_SHAPE.test(clientId))
    throw new Error('a client_id must not look like a UUID (user ids are UUIDs)');
  if (grants.length === 0 || grants.some((g) => !SUPPORTED_GRANTS.includes(g))) {
    throw new Error(`--grant must be one of ${SUPPORTED_GRANTS.join(', ')}`);
  }
  // RFC 9700 §2.4: the password grant only for first-party clients.
  if (grants.includes('password') && !firstParty)
    throw new Error('the password grant needs --first-party');
  const known = (await catalogue.list()).map((s) => s.name);
  const scopes = scope === undefined ? known : scope.split(' ').filter(Boolean);
  const unknown = scopes.filter((s) => !known.includes(s));
  if (unknown.length) throw new Error(`unknown scope(s): ${unknown.join(' ')}`);
  if (await clients.findByClientId(clientId)) throw new Error(`client ${clientId} exists`);
  const secret = randomSecret();
  await clients.createApprovedClient({
    clientId,
    name: clientId,
    firstParty,
    grantTypes: grants,
    scopes,
    secret,
  });
  printOnce(
    `Client "${clientId}" created (${grants.join(', ')}; scope "${scopes.join(' ')}"). Its client_secret, shown this once:`,
    secret,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
