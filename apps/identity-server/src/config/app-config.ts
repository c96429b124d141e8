import { EnvironmentVariables, validateEnvironment } from './environment';

export type SigningAlgorithm = 'RS256' | 'ES256';

export type DatabaseConfig =
  | { kind: 'mysql'; url: string; poolSize: number; connectAttempts: number }
  | { kind: 'sqlite'; path: string; connectAttempts: number };

/**
 * The validated, typed configuration, injected by class wherever a setting is
 * needed. Built once at boot by {@link loadConfig}; never read `process.env` elsewhere.
 */
export class AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly issuer: string;
  readonly database: DatabaseConfig;
  readonly bootstrap: {
    adminUsername: string;
    adminPassword?: string;
    clientId: string;
    clientSecret?: string;
  };
  readonly tokens: { accessTtlSeconds: number; refreshTtlSeconds: number; audience: string };
  readonly passwords: {
    bcryptCost: number;
    maxFailedAttempts: number;
    lockoutSeconds: number;
    /** Unset: the hasher's default (per core). */
    checkQueueLimit?: number;
  };
  /** Browser sessions (single sign-on) and the authorization codes of the browser flow. */
  readonly browser: {
    sessionIdleTimeoutSeconds: number;
    sessionMaxAgeSeconds: number;
    authorizationCodeTtlSeconds: number;
  };
  readonly keys: {
    algorithm: SigningAlgorithm;
    rsaBits: number;
    rotationLeadSeconds: number;
    rotationIntervalSeconds: number;
    reloadSeconds: number;
    encryptionKey?: string;
    encryptionKeyFile: string;
  };
  readonly clients: { secretRotationGraceSeconds: number };
  /** Lifetime of the in-process status caches, in ms; 0: off (see `STATUS_CACHE_TTL_MS`). */
  readonly statusCacheTtlMs: number;
  readonly logLevel: string;
  readonly trustProxyHops: number;

  constructor(env: EnvironmentVariables) {
    this.env = env.NODE_ENV as AppConfig['env'];
    this.port = env.PORT;
    // The issuer identifier has no trailing slash, so that `${issuer}/token` is well formed.
    this.issuer = (env.ISSUER_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
    this.database = parseDatabaseUrl(
      env.DATABASE_URL,
      env.DATABASE_POOL_SIZE,
      env.DATABASE_CONNECT_ATTEMPTS,
    );
    this.bootstrap = {
      adminUsername: env.BOOTSTRAP_ADMIN_USERNAME,
      adminPassword: env.BOOTSTRAP_ADMIN_PASSWORD,
      clientId: env.BOOTSTRAP_CLIENT_ID,
      clientSecret: env.BOOTSTRAP_CLIENT_SECRET,
    };
    this.tokens = {
      accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
      audience: env.ACCESS_TOKEN_AUDIENCE,
    };
    this.passwords = {
      bcryptCost: env.BCRYPT_COST,
      maxFailedAttempts: env.LOGIN_MAX_FAILED_ATTEMPTS,
      lockoutSeconds: env.LOGIN_LOCKOUT_SECONDS,
      checkQueueLimit: env.PASSWORD_CHECK_QUEUE_LIMIT,
    };
    this.browser = {
      sessionIdleTimeoutSeconds: env.SESSION_IDLE_TIMEOUT_SECONDS,
      sessionMaxAgeSeconds: env.SESSION_MAX_AGE_SECONDS,
      authorizationCodeTtlSeconds: env.AUTHORIZATION_CODE_TTL_SECONDS,
    };
    this.keys = {
      algorithm: env.SIGNING_KEY_ALGORITHM,
      rsaBits: env.SIGNING_KEY_RSA_BITS,
      rotationLeadSeconds: env.SIGNING_KEY_ROTATION_LEAD_SECONDS,
      rotationIntervalSeconds: env.SIGNING_KEY_ROTATION_INTERVAL_SECONDS,
      reloadSeconds: env.SIGNING_KEY_RELOAD_SECONDS,
      encryptionKey: env.KEY_ENCRYPTION_KEY,
      encryptionKeyFile: env.KEY_ENCRYPTION_KEY_FILE,
    };
    this.clients = { secretRotationGraceSeconds: env.CLIENT_SECRET_ROTATION_GRACE_SECONDS };
    this.statusCacheTtlMs = env.STATUS_CACHE_TTL_MS;
    this.logLevel = env.LOG_LEVEL;
    this.trustProxyHops = env.TRUST_PROXY_HOPS;
  }
}

export function parseDatabaseUrl(url: string, poolSize = 10, connectAttempts = 3): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    // `sqlite:./data/x.sqlite`, `sqlite:/abs/x.sqlite` and `sqlite::memory:` are accepted.
    return {
      kind: 'sqlite',
      path: url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''),
      connectAttempts,
    };
  }
  return { kind: 'mysql', url: url.replace(/^mariadb:/, 'mysql:'), poolSize, connectAttempts };
}

/** Validates `env` (all bad variables in one error) and returns the typed configuration. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return new AppConfig(validateEnvironment(env));
}
