import { AuthGuardModuleOptions } from '@tessera/auth-guard';

/** The sample service's settings, read from the environment in this one place. */
export interface SampleConfig {
  /** `SAMPLE_PORT`, default `3001` (SPEC). */
  port: number;
  /** How the guard library is configured: `ISSUER_URL` (default `http://localhost:3000`), `SAMPLE_AUDIENCE` (default `tessera`); plain http from another host than loopback only with `SAMPLE_ALLOW_INSECURE_HTTP=true`. */
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
      // Keys over plain http from a host other than loopback only when asked for, for
      // development (anyone on the path could replace them and sign any token).
      allowInsecureHttp: env.SAMPLE_ALLOW_INSECURE_HTTP === 'true',
    },
  };
}
