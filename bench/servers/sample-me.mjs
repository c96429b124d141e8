// GET /me of the sample service, in two builds that differ only by the guard:
//
//   SAMPLE_MODE=guard  the sample service itself (apps/sample-service's compiled
//                      createSampleApp): libs/auth-guard validates the bearer
//                      token against Tessera's JWKS on every request.
//   SAMPLE_MODE=none   the same MeController (the same compiled class, the same
//                      @CurrentPrincipal() parameter) in a Nest app created
//                      with the same options, without AuthGuardModule: a
//                      middleware sets the principal of SAMPLE_TOKEN, decoded
//                      once at start, so both answer the same body.
//
// Environment: SAMPLE_PORT, SAMPLE_MODE, BENCH_DIST (the compiled tree, default
// dist), ISSUER_URL and SAMPLE_JWKS_URI (guard), SAMPLE_TOKEN (none).
import 'reflect-metadata';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const dist = path.resolve(process.env.BENCH_DIST ?? 'dist');
const port = Number(process.env.SAMPLE_PORT ?? 3301);
const mode = process.env.SAMPLE_MODE ?? 'guard';

let app;
if (mode === 'guard') {
  const { createSampleApp } = require(path.join(dist, 'apps/sample-service/src/app.factory.js'));
  app = await createSampleApp({
    issuer: process.env.ISSUER_URL,
    audience: process.env.SAMPLE_AUDIENCE ?? 'tessera',
    jwksUri: process.env.SAMPLE_JWKS_URI,
  });
} else {
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { MeController } = require(path.join(dist, 'apps/sample-service/src/me.controller.js'));
  const { principalFromClaims } = require(path.join(dist, 'libs/auth-guard/src/principal.js'));
  const token = process.env.SAMPLE_TOKEN ?? '';
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}');
  const principal = principalFromClaims(claims);

  class UnguardedMeModule {}
  Module({ controllers: [MeController] })(UnguardedMeModule);
  // The options of createSampleApp, minus the guard.
  app = await NestFactory.create(UnguardedMeModule, { logger: ['error', 'warn'], abortOnError: false });
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  app.use((req, _res, next) => {
    req.user = principal;
    next();
  });
}
await app.listen(port, '127.0.0.1');
process.stdout.write(`sample /me (${mode}) listening on http://127.0.0.1:${port}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(0), 3000).unref();
  });
}
