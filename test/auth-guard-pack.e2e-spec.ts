import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, TestDatabase } from './support/databases';
import { getJson, tokenRequest } from './support/http';
import { freePort } from './support/server-process';
import { ADMIN, CONSOLE, startServer, TestServer } from './support/test-server';

const run = promisify(execFile);
const ROOT = realpathSync(join(__dirname, '..'));
const LIBRARY = join(ROOT, 'libs/auth-guard');

/** What a team installs beside the tarball: the peers, at the versions this repository runs. */
const PEERS = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/passport',
  'passport',
  'reflect-metadata',
  'rxjs',
];
const rootVersion = (name: string) =>
  (
    JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

/**
 * The environment of every child: this process's, minus what `npm test` / `npx`
 * put there (npm_config_*, INIT_CWD, NODE_PATH), so that npm works on the
 * consumer project only and Node resolves nothing from this repository.
 */
function outsideEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'NODE_PATH',
    ),
  );
  return { ...env, ...extra };
}

/**
 * A service another team might write, in plain CommonJS so that it needs no
 * build: the decorators are called by hand, as compiled TypeScript would call
 * them. It imports the library by package name only.
 */
const CONSUMER_MAIN = `'use strict';
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { AuthGuardModule, CurrentPrincipal, Public, RequireScopes } = require('@tessera/auth-guard');

class OrdersController {
  health() {
    return { status: 'ok' };
  }
  list(principal) {
    return { subject: principal.subject, client: principal.clientId, scopes: principal.scopes };
  }
}

/** Applies method decorators bottom-up, as TypeScript's __decorate does. */
function decorate(cls, method, ...decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, method);
  for (const decorator of decorators.reverse()) decorator(cls.prototype, method, descriptor);
}

Controller()(OrdersController);
decorate(OrdersController, 'health', Public(), Get('health'));
decorate(OrdersController, 'list', Get('orders'), RequireScopes('orders:read'));
CurrentPrincipal()(OrdersController.prototype, 'list', 0);

class AppModule {}
Module({
  imports: [AuthGuardModule.forRoot({ issuer: process.env.ISSUER_URL, audience: 'tessera' })],
  controllers: [OrdersController],
})(AppModule);

const port = Number(process.env.PORT);
NestFactory.create(AppModule, { logger: ['error', 'warn'] })
  .then(async (app) => {
    await app.listen(port, '127.0.0.1');
    process.stdout.write('consumer listening on port ' + port + '\\n');
  })
  .catch((error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error) + '\\n');
    process.exit(1);
  });
`;

// One database only, SQLite: this spec is about packaging, not storage. The
// library never touches the database, the token flow on MariaDB is covered by
// the other specs, and a second engine would repeat the slow pack and install.
describe('@tessera/auth-guard packed and installed outside the repository', () => {
  let workDir: string;
  let tarballEntries: string[];
  let consumerDir: string;
  let consumer: ChildProcess | undefined;
  let consumerOutput = '';
  let consumerUrl: string;
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    workDir = realpathSync(mkdtempSync(join(tmpdir(), 'tessera-auth-guard-pack-')));
    const packDir = join(workDir, 'pack');
    consumerDir = join(workDir, 'consumer');
    mkdirSync(packDir);
    mkdirSync(consumerDir);

    // `npm pack` runs the library's prepack (its build), so the tarball holds the current sources.
    const { stdout: packed } = await run(
      'npm',
      ['pack', '--silent', '--pack-destination', packDir],
      {
        cwd: LIBRARY,
        env: outsideEnv(),
      },
    );
    const tarball = join(packDir, packed.trim().split('\n').pop()!.trim());
    tarballEntries = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);

    writeFileSync(
      join(consumerDir, 'package.json'),
      JSON.stringify({ name: 'orders-service', version: '1.0.0', private: true }, null, 2),
    );
    writeFileSync(join(consumerDir, 'main.js'), CONSUMER_MAIN);
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        tarball,
        ...PEERS.map((name) => `${name}@${rootVersion(name)}`),
      ],
      { cwd: consumerDir, env: outsideEnv(), maxBuffer: 16 * 1024 * 1024 },
    );

    db = await createTestDatabase('sqlite');
    server = await startServer(db.url);

    const port = await freePort();
    consumerUrl = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['main.js'], {
      cwd: consumerDir,
      env: { PATH: process.env.PATH ?? '', ISSUER_URL: server.config.issuer, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    consumer = child;
    child.stdout.on('data', (chunk: Buffer) => (consumerOutput += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (consumerOutput += chunk.toString('utf8')));
    const deadline = Date.now() + 30_000;
    while (!consumerOutput.includes(`consumer listening on port ${port}`)) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the consumer service did not start:\n${consumerOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 180_000);

  afterAll(async () => {
    if (consumer && consumer.exitCode === null && consumer.signalCode === null) {
      const exited = new Promise((resolve) => consumer!.once('exit', resolve));
      consumer.kill('SIGTERM');
      await exited;
    }
    await server?.close();
    await db?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const password = (scope: string) =>
    tokenRequest(server.url, CONSOLE, {
      grant_type: 'password',
      username: ADMIN.username,
      password: ADMIN.password,
      scope,
    });

  it('ships compiled JavaScript, declarations and the README only', () => {
    expect(tarballEntries).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/README.md',
        'package/dist/index.js',
        'package/dist/index.d.ts',
      ]),
    );
    for (const entry of tarballEntries) {
      expect(entry).toMatch(/^package\/(package\.json|README\.md|dist\/.+\.(js|d\.ts))$/);
      expect(entry).not.toMatch(/\/src\//);
      expect(entry).not.toMatch(/\.spec\./);
    }
  });

  it('is installed into the consumer and resolved from there, with its own dependencies', async () => {
    const script = `console.log(JSON.stringify({
      library: require.resolve('@tessera/auth-guard'),
      jose: require.resolve('jose', { paths: [require.resolve('@tessera/auth-guard')] }),
      passportJwt: require.resolve('passport-jwt', { paths: [require.resolve('@tessera/auth-guard')] }),
      exports: Object.keys(require('@tessera/auth-guard')).sort(),
    }))`;
    const { stdout } = await run(process.execPath, ['-e', script], {
      cwd: consumerDir,
      env: outsideEnv(),
    });
    const { exports, ...resolved } = JSON.parse(stdout) as Record<string, string> & {
      exports: string[];
    };
    // What README's "Public API" lists as values (types leave no trace at run time).
    expect(exports).toEqual([
      'ACCESS_TOKEN_TYPE',
      'AUTH_GUARD_OPTIONS',
      'AccessTokenGuard',
      'AuthGuardModule',
      'BearerChallengeException',
      'CurrentPrincipal',
      'Public',
      'RequireActiveToken',
      'RequireAnyPermission',
      'RequireAnyRole',
      'RequireAnyScope',
      'RequirePermissions',
      'RequireRoles',
      'RequireScopes',
      'SigningKeysUnavailableError',
      'VerifiedTokenCache',
    ]);
    const modules = join(consumerDir, 'node_modules') + sep;
    expect(resolved.library).toBe(join(modules, '@tessera/auth-guard/dist/index.js'));
    for (const path of Object.values(resolved)) {
      expect(realpathSync(path).startsWith(modules)).toBe(true);
      expect(realpathSync(path).startsWith(ROOT + sep)).toBe(false);
    }
  });

  it('leaves a @Public() route open', async () => {
    const res = await getJson(`${consumerUrl}/health`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('serves a token with the scope: 200, and the principal through @CurrentPrincipal()', async () => {
    const token = await password('orders:read');
    expect(token.status).toBe(200);
    const res = await getJson(`${consumerUrl}/orders`, {
      authorization: `Bearer ${token.body.access_token as string}`,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      subject: expect.any(String),
      client: CONSOLE.clientId,
      scopes: ['orders:read'],
    });
  });

  it('answers no token with 401 and a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const res = await getJson(`${consumerUrl}/orders`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it('answers a token that is not one of the issuer with 401 invalid_token', async () => {
    const res = await getJson(`${consumerUrl}/orders`, { authorization: 'Bearer not.a.token' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="api", error="invalid_token"/,
    );
  });

  it('answers a valid token without the scope with 403 insufficient_scope, naming the scope', async () => {
    const token = await password('orders:write');
    expect(token.status).toBe(200);
    const res = await getJson(`${consumerUrl}/orders`, {
      authorization: `Bearer ${token.body.access_token as string}`,
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('insufficient_scope');
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="api", error="insufficient_scope"/);
    expect(challenge).toContain('scope="orders:read"');
  });
});
