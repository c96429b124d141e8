import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ACCESS_TOKEN_TYPE, AccessTokenClaims } from './access-token-claims';
import { AUTH_GUARD_OPTIONS } from './auth-guard.module-definition';
import {
  AuthGuardModuleOptions,
  DEFAULT_ALGORITHMS,
  VerificationKeyResolver,
} from './auth-guard.options';
import { Principal, principalFromClaims } from './principal';

/** Passport name of the strategy. */
export const TESSERA_JWT = 'tessera-jwt';
/** Injection token of the {@link VerificationKeyResolver} in use. */
export const KEY_RESOLVER = Symbol('KEY_RESOLVER');

/** `Authorization: Bearer <token>`, the scheme matched case-insensitively (RFC 9110 §11.1). */
export const bearerFromHeader = ExtractJwt.fromAuthHeaderAsBearerToken();

/** Thrown for any token that must not be accepted; becomes 401 `invalid_token`. */
export class InvalidTokenError extends Error {}

function decodeHeader(token: string): { kid?: string; alg?: string } {
  try {
    return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as {
      kid?: string;
      alg?: string;
    };
  } catch {
    return {};
  }
}

/**
 * Validates access tokens with passport-jwt: the signature with the key that
 * the resolver finds by kid, algorithms pinned by configuration (so `none` and
 * HS256-signed-with-the-public-key fail), `iss`, `aud`, `exp`/`nbf` with the
 * clock tolerance; then `typ` must be `at+jwt` (RFC 9068 §4) and the claims
 * Tessera always issues must be there.
 */
@Injectable()
export class AccessTokenStrategy extends PassportStrategy(Strategy, TESSERA_JWT) {
  constructor(
    @Inject(AUTH_GUARD_OPTIONS) options: AuthGuardModuleOptions,
    @Inject(KEY_RESOLVER) resolveKey: VerificationKeyResolver,
  ) {
    const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
    super({
      jwtFromRequest: bearerFromHeader,
      algorithms,
      issuer: options.issuer.replace(/\/+$/, ''),
      audience: Array.isArray(options.audience)
        ? (options.audience)
        : options.audience,
      jsonWebTokenOptions: { complete: true, clockTolerance: options.clockToleranceSeconds ?? 30 },
      secretOrKeyProvider: (
        _req: Request,
        rawJwt: string,
        done: (err: unknown, key?: string | Buffer) => void,
      ) => {
        const header = decodeHeader(rawJwt);
        // The algorithm allow-list is checked before any key is looked up.
        if (!header.alg || !(algorithms as string[]).includes(header.alg))
          return done(new InvalidTokenError('algorithm not accepted'));
        resolveKey({ kid: header.kid, alg: header.alg }).then(
          // jsonwebtoken 9 verifies with a KeyObject directly (no PEM re-parse per request);
          // the passport-jwt typings only know strings and buffers.
          (key) =>
            key
              ? done(null, key as unknown as Buffer)
              : done(new InvalidTokenError('unknown signing key')),
          (error: unknown) => done(error),
        );
      },
    });
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
      typeof claims.exp !== 'number'
    ) {
      throw new InvalidTokenError('required claims missing');
    }
    return principalFromClaims(claims as AccessTokenClaims);
  }
}
