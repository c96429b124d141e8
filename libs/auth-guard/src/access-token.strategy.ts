import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import type { KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ACCESS_TOKEN_TYPE, AccessTokenClaims } from './access-token-claims';
import { AUTH_GUARD_OPTIONS } from './auth-guard.module-definition';
import {
  AuthGuardModuleOptions,
  DEFAULT_ALGORITHMS,
  KeyLookup,
  VerificationKeyResolver,
} from './auth-guard.options';
import { SigningKeysUnavailableError } from './keys/signing-keys-unavailable.error';
import { Principal, principalFromClaims } from './principal';

/** Passport name of the strategy. */
export const TESSERA_JWT = 'tessera-jwt';
/**
 * Injection token of this module instance's own passport strategy name.
 * passport keeps strategies in one process-wide registry: with a fixed name, a
 * second AuthGuardModule in the process (another issuer, another audience)
 * would silently replace the first one's validation.
 */
export const STRATEGY_NAME = Symbol('STRATEGY_NAME');
let strategyInstances = 0;
export const nextStrategyName = (): string => `${TESSERA_JWT}#${++strategyInstances}`;

/** Injection token of the {@link VerificationKeyResolver} in use. */
export const KEY_RESOLVER = Symbol('KEY_RESOLVER');

/** An Authorization header that uses the Bearer scheme, well-formed or not. */
export const BEARER_SCHEME = /^bearer(\s|$)/i;
/**
 * RFC 6750 §2.1: `"Bearer" 1*SP b64token`, the whole (trimmed) header value,
 * the scheme matched case-insensitively (RFC 9110 §11.1).
 */
const BEARER_CREDENTIALS = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The token of a well-formed `Authorization: Bearer <token>` header, else null. */
export function bearerFromHeader(req: Request): string | null {
  return req.headers.authorization?.trim().match(BEARER_CREDENTIALS)?.[1] ?? null;
}

/**
 * `?access_token=` (RFC 6750 §2.3). Only consulted when `allowQueryToken` is
 * set; the guard has already refused a repeated parameter or a second method.
 */
export function tokenFromQuery(req: Request): string | null {
  const value = (req.query as Record<string, unknown> | undefined)?.access_token;
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The key each request's token was verified with, and how it was looked up:
 * what the guard needs to remember the token in its verified-token cache.
 */
export const verifiedWith = new WeakMap<object, { key: KeyObject; lookup: KeyLookup }>();

/** Thrown for any token that must not be accepted; becomes 401 `invalid_token`. */
export class InvalidTokenError extends Error {}

interface ProtectedHeader {
  kid?: string;
  alg?: string;
  crit?: unknown;
}

function decodeHeader(token: string): ProtectedHeader {
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.split('.')[0], 'base64url').toString('utf8'),
    );
    return typeof header === 'object' && header !== null ? header : {};
  } catch {
    return {};
  }
}

/**
 * Validates access tokens with passport-jwt: the signature with the key that
 * the resolver finds by kid, algorithms pinned by configuration (so `none` and
 * HS256-signed-with-the-public-key fail), no `crit` header, `iss`, `aud`,
 * `exp`/`nbf` with the clock tolerance; then `typ` must be `at+jwt` (RFC 9068
 * §4), the claims Tessera always issues must be there, and `iat` must not be
 * later than now plus the clock tolerance.
 */
@Injectable()
export class AccessTokenStrategy extends PassportStrategy(Strategy, TESSERA_JWT) {
  private readonly clockToleranceSeconds: number;

  constructor(
    @Inject(AUTH_GUARD_OPTIONS) options: AuthGuardModuleOptions,
    @Inject(KEY_RESOLVER) resolveKey: VerificationKeyResolver,
    @Inject(STRATEGY_NAME) strategyName: string,
  ) {
    // jsonwebtoken checks `iss` and `aud` only when the option is truthy: an empty
    // value from a missing environment variable would accept any issuer or audience.
    const issuer = typeof options.issuer === 'string' ? options.issuer.replace(/\/+$/, '') : '';
    if (issuer.trim() === '') throw new Error('AuthGuardModule: `issuer` must be a non-empty URL');
    const audiences = ([] as unknown[]).concat(options.audience);
    if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a === ''))
      throw new Error('AuthGuardModule: `audience` must name at least one non-empty audience');
    const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
    const clockToleranceSeconds = options.clockToleranceSeconds ?? 30;
    super({
      jwtFromRequest: options.allowQueryToken
        ? ExtractJwt.fromExtractors([bearerFromHeader, tokenFromQuery])
        : bearerFromHeader,
      algorithms,
      issuer,
      audience: options.audience,
      jsonWebTokenOptions: { complete: true, clockTolerance: clockToleranceSeconds },
      secretOrKeyProvider: (
        req: Request,
        rawJwt: string,
        done: (err: unknown, key?: string | Buffer) => void,
      ) => {
        const header = decodeHeader(rawJwt);
        // The algorithm allow-list is checked before any key is looked up.
        if (!header.alg || !(algorithms as string[]).includes(header.alg))
          return done(new InvalidTokenError('algorithm not accepted'));
        // RFC 7515 §4.1.11: the guard understands no extension, so any `crit` makes the JWS invalid.
        if (header.crit !== undefined)
          return done(new InvalidTokenError('critical header parameters not supported'));
        const lookup = { kid: header.kid, alg: header.alg };
        resolveKey(lookup).then(
          // jsonwebtoken 9 verifies with a KeyObject directly (no PEM re-parse per request);
          // the passport-jwt typings only know strings and buffers.
          (key) => {
            if (!key) return done(new InvalidTokenError('unknown signing key'));
            verifiedWith.set(req, { key, lookup });
            done(null, key as unknown as Buffer);
          },
          // A resolver that throws could not answer: the guard's 503, never invalid_token.
          (error: unknown) =>
            done(
              error instanceof SigningKeysUnavailableError
                ? error
                : new SigningKeysUnavailableError(1, { cause: error }),
            ),
        );
      },
    });
    // The mixin registered this strategy under the shared name; this instance's guard uses its own.
    (this as unknown as { getPassportInstance(): { use(name: string, strategy: unknown): void } })
      .getPassportInstance()
      .use(strategyName, this);
    this.clockToleranceSeconds = clockToleranceSeconds;
  }

  /** Called by passport-jwt with the verified token (`complete: true`: header and payload). */
  validate(verified: { header: { typ?: string }; payload: Partial<AccessTokenClaims> }): Principal {
    const typ = verified.header.typ?.toLowerCase();
    if (typ !== ACCESS_TOKEN_TYPE && typ !== `application/${ACCESS_TOKEN_TYPE}`)
      throw new InvalidTokenError('not an access token (typ)');
    const claims = verified.payload;
    if (
      typeof claims.sub !== 'string' ||
      typeof claims.client_id !== 'string' ||
      typeof claims.jti !== 'string' ||
      typeof claims.exp !== 'number' ||
      typeof claims.iat !== 'number'
    ) {
      throw new InvalidTokenError('required claims missing');
    }
    // RFC 9068 §2.2 requires `iat`; jsonwebtoken does not check it, so a token from the future is refused here.
    if (claims.iat > Math.floor(Date.now() / 1000) + this.clockToleranceSeconds)
      throw new InvalidTokenError('issued in the future (iat)');
    return principalFromClaims(claims as AccessTokenClaims);
  }
}
