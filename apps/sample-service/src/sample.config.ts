import { AuthGuardModuleOptions } from '@tessera/auth-guard';

/** The sample service's settings, read from the environment in this one place. */
export interface SampleConfig {
  /** `SAMPLE_PORT`, default `3001` (SPEC). */
  port: number;
  /** How the guard library is configured: `ISSUER_URL` (default `http://localhost:3000`), `SAMPLE_AUDIENCE` (default `tessera`); plain http from any host only outside production. */
  guard: AuthGuardModuleOptions;
}

export function sampleConfigFromEnv(env: NodeJS.ProcessEnv): SampleConfig {
  const port = Number(env.SAMPLE_PORT ?? 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`SAMPLE_PORT: must be a port number (got ${env.SAMPLE_PORT})`);
  return {
    port,
    guard: {
      issuer: env.ISSUER_URL ?? `http://localhost:${env.PORT ?? 3000}`,
      audience: env.SAMPLE_AUDIENCE ?? 'tessera',
      ...(env.SAMPLE_JWKS_URI ? { jwksUri: env.SAMPLE_JWKS_URI } : {}),
      // As the identity server allows an http ISSUER_URL outside production, so does its
      // sample: its keys over plain http from any host, but never with NODE_ENV=production.
      allowInsecureHttp: env.NODE_ENV !== 'production',
    },
  };
}
