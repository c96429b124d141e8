import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/**
 * Every environment variable Tessera reads, with its meaning and default.
 * This is the only place `process.env` is interpreted; the rest of the server
 * receives the typed {@link AppConfig} built from it.
 *
 * Variables in SPEC's fixed configuration table keep their names and defaults.
 */
export class EnvironmentVariables {
  /** `development` | `production` | `test`. Production refuses insecure fallbacks. Default `development`. */
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  /** HTTP port of the identity server (SPEC). Default `3000`. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** `iss` of every token and base of the metadata (SPEC). Default `http://localhost:$PORT`. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, {
    message: 'must be an absolute http(s) URL without query or fragment',
  })
  ISSUER_URL?: string;

  /** `mysql://user:pass@host:port/db` or `sqlite:PATH` (SPEC). Default `sqlite:./data/tessera.sqlite`. */
  @Matches(/^(mysql|mariadb):\/\/[^\s]+\/[A-Za-z0-9_$-]+(\?[^\s]*)?$|^sqlite:.+$/, {
    message: 'must be mysql://user:pass@host:port/db or sqlite:PATH',
  })
  DATABASE_URL = 'sqlite:./data/tessera.sqlite';

  /** Connections in the MySQL pool. Default `10`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE = 10;

  /** Attempts to reach the database at start before giving up with exit code 1. Default `3`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_CONNECT_ATTEMPTS = 3;

  /** Username of the admin created on a start with no admin (SPEC). Default `admin`. */
  @Matches(/^[A-Za-z0-9._@+-]{1,64}$/, { message: 'must be 1-64 of A-Z a-z 0-9 . _ @ + -' })
  BOOTSTRAP_ADMIN_USERNAME = 'admin';

  /** Its password; when absent a random one is printed once (SPEC). */
  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(72)
  BOOTSTRAP_ADMIN_PASSWORD?: string;

  /** client_id of the first-party client ensured at start (SPEC). Default `console`. */
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1-64 of A-Z a-z 0-9 . _ -' })
  BOOTSTRAP_CLIENT_ID = 'console';

  /** Its secret; when absent a random one is printed once (SPEC). */
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  BOOTSTRAP_CLIENT_SECRET?: string;

  /** Access-token lifetime in seconds (SPEC). Default `900`. */
  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  /** Refresh-token lifetime in seconds; each rotation starts a new lifetime (SPEC). Default `2592000`. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(31536000)
  REFRESH_TOKEN_TTL_SECONDS = 2592000;

  /** `aud` of every access token (RFC 9068 §2.2); resource servers check it. Default `tessera`. */
  @Matches(/^[\x21-\x7e]{1,200}$/, { message: 'must be 1-200 printable characters without spaces' })
  ACCESS_TOKEN_AUDIENCE = 'tessera';

  /** After a new client secret is issued, how long the previous ones keep working. Default `86400` (1 day). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(2592000)
  CLIENT_SECRET_ROTATION_GRACE_SECONDS = 86400;

  /** bcrypt cost for new password hashes; older, cheaper hashes are upgraded at login. Default `11`. */
  @Transform(toInt)
  @IsInt()
  @Min(4)
  @Max(15)
  BCRYPT_COST = 11;

  /** Consecutive wrong passwords that lock an account. Default `5`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  LOGIN_MAX_FAILED_ATTEMPTS = 5;

  /** How long a locked account stays locked, in seconds. Default `900`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(31536000)
  LOGIN_LOCKOUT_SECONDS = 900;

  /**
   * Password checks (sign-ins) admitted at once, running and waiting for a
   * bcrypt thread; beyond it a sign-in is answered 503 with `Retry-After`
   * instead of queueing without bound. Default: 17 per core (one running,
   * sixteen waiting: about two seconds of work at cost 11).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  PASSWORD_CHECK_QUEUE_LIMIT?: number;

  /** A browser session (single sign-on) ends after this many seconds without use. Default `1800` (30 min). */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(2592000)
  SESSION_IDLE_TIMEOUT_SECONDS = 1800;

  /** A browser session ends this many seconds after sign-in, however active. Default `36000` (10 h). */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(31536000)
  SESSION_MAX_AGE_SECONDS = 36000;

  /** Lifetime of an authorization code (RFC 6749 §4.1.2: short, at most 10 min). Default `60`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600)
  AUTHORIZATION_CODE_TTL_SECONDS = 60;

  /** Algorithm of new signing keys: `RS256` or `ES256`. Default `RS256`. */
  @IsIn(['RS256', 'ES256'])
  SIGNING_KEY_ALGORITHM: 'RS256' | 'ES256' = 'RS256';

  /** Modulus size of new RSA keys. Default `2048`. */
  @Transform(toInt)
  @IsIn([2048, 3072, 4096])
  SIGNING_KEY_RSA_BITS = 2048;

  /**
   * Seconds a new key is published in the JWKS before it signs, so that every
   * verifier's cached JWKS holds it first. Must exceed the JWKS cache lifetime. Default `600`.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(2592000)
  SIGNING_KEY_ROTATION_LEAD_SECONDS = 600;

  /**
   * How often each process re-reads the key table, to learn of keys made by
   * other processes. Keep it below the lead time. Default `30`.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  SIGNING_KEY_RELOAD_SECONDS = 30;

  /** Automatic rotation period in seconds; `0` turns it off. Default `7776000` (90 days). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SIGNING_KEY_ROTATION_INTERVAL_SECONDS = 7776000;

  /** Base64 of 32 random bytes: encrypts private keys at rest and keys secret hashes. Required in production. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/_-]{43}=?$/, { message: 'must be the base64 of exactly 32 bytes' })
  KEY_ENCRYPTION_KEY?: string;

  /** Outside production, where a generated key-encryption key is kept (mode 0600). Default `./data/key-encryption.key`. */
  @IsString()
  @MinLength(1)
  KEY_ENCRYPTION_KEY_FILE = './data/key-encryption.key';

  /**
   * How long, in ms, each process may answer a status look-up of the hot paths
   * from memory: client authentication and status, user status, revoked access
   * tokens, revoked grants. Changes made through this process are seen at once
   * (it invalidates what it writes); changes made by another process or
   * directly in the database are seen within this time. `0` turns the caches
   * off. Refresh tokens, passwords, sessions and codes are always checked in
   * the database. Default `2000`; at most `60000`.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  STATUS_CACHE_TTL_MS = 2000;

  /** `fatal` `error` `warn` `info` `debug` `trace` or `silent`. Default `info`. */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Trust `X-Forwarded-*` from this many proxy hops (for client IPs in the audit log). Default `0`. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY_HOPS = 0;
}

/** The shape of user ids, which client ids must never take. */
export const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Variables whose values must never appear in an error message or a log. */
const SECRET_VARIABLES = new Set([
  'BOOTSTRAP_ADMIN_PASSWORD',
  'BOOTSTRAP_CLIENT_SECRET',
  'KEY_ENCRYPTION_KEY',
  'DATABASE_URL',
]);

/** Raised at boot when the environment is invalid; its message names every bad variable. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

function describe(error: ValidationError): string {
  const name = error.property;
  const reasons = Object.values(error.constraints ?? {})
    .map((m) => m.replace(new RegExp(`^${error.property}\\s*`), ''))
    .join('; ');
  const shown = SECRET_VARIABLES.has(error.property)
    ? ''
    : error.value === undefined
      ? ''
      : ` (got ${JSON.stringify(error.value)})`;
  return `${name}: ${reasons}${shown}`;
}

/**
 * Reads and validates the environment. Unset and empty variables take their
 * defaults; anything else invalid is collected, so one error lists them all.
 */
export function validateEnvironment(env: NodeJS.ProcessEnv): EnvironmentVariables {
  const plain: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') plain[key] = value;
  }
  const parsed = plainToInstance(EnvironmentVariables, plain);
  const problems = validateSync(parsed).map(describe);
  // RFC 9068 §5: a client acting as itself has sub = client_id; user subs are UUIDs,
  // so a UUID-shaped client_id could pass for a user.
  if (UUID_SHAPE.test(parsed.BOOTSTRAP_CLIENT_ID))
    problems.push('BOOTSTRAP_CLIENT_ID: must not look like a UUID (user ids are UUIDs)');
  if (parsed.NODE_ENV === 'production') {
    // Production never falls back to a key file on disk or to a plain-http issuer (RFC 8414 §2).
    if (!parsed.KEY_ENCRYPTION_KEY)
      problems.push('KEY_ENCRYPTION_KEY: is required when NODE_ENV=production');
    if (parsed.ISSUER_URL?.startsWith('http://'))
      problems.push('ISSUER_URL: must use https when NODE_ENV=production');
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return parsed;
}
