import type { KeyObject } from 'node:crypto';

/** The JWS algorithms the library can verify. Which ones are accepted is configuration, never the token's choice. */
export type AccessTokenAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

/** The protected header fields a key is chosen by. */
export interface KeyLookup {
  kid?: string;
  alg: string;
}

/**
 * Finds the public key that verifies a token, or returns undefined when there is
 * none. The default fetches the issuer's JWKS; a service holding the keys
 * itself (the identity server) passes its own.
 */
export type VerificationKeyResolver = (lookup: KeyLookup) => Promise<KeyObject | undefined>;

/** Decides whether a token is still active right now (RFC 7662), for routes marked `@RequireActiveToken()`. */
export interface TokenIntrospector {
  isActive(token: string): Promise<boolean>;
}

/** Options of {@link AuthGuardModule.forRoot}. */
export interface AuthGuardModuleOptions {
  /** The issuer URL: tokens must carry exactly this `iss`; the JWKS is discovered from its RFC 8414 metadata. */
  issuer: string;
  /** Accepted audiences: a token's `aud` must contain at least one. */
  audience: string | string[];
  /** Where the JWKS is. Default: `jwks_uri` of `${issuer}/.well-known/oauth-authorization-server`. */
  jwksUri?: string;
  /** Accepted signature algorithms. Default `['RS256', 'ES256']`. `none` and HMAC are never accepted. */
  algorithms?: AccessTokenAlgorithm[];
  /** Seconds of clock difference tolerated on `exp`, `nbf` and `iat`. Default `30`. */
  clockToleranceSeconds?: number;
  /** JWKS cache behaviour (only for the default resolver). */
  jwks?: {
    /** How long a fetched JWKS is used before it is fetched again. Default `300`. */
    cacheMaxAgeSeconds?: number;
    /**
     * After any fetch, successful or failed, no other fetch for this long, even
     * for an unknown kid: a flood of made-up kids, or an issuer that is down,
     * costs the issuer at most one request per interval. Default `30`.
     */
    cooldownSeconds?: number;
    /** Timeout of one JWKS or metadata request. Default `5000`. */
    timeoutMs?: number;
  };
  /** Resolve keys yourself instead of fetching the JWKS (for example in-process). */
  keyResolver?: VerificationKeyResolver;
  /**
   * For development only. By default the issuer (when its metadata is
   * discovered) and the JWKS must be https URLs, except on loopback hosts
   * (localhost, 127.0.0.0/8, [::1]): keys fetched over plain http can be
   * replaced on the way, and then any token forged (RFC 8414 §2, RFC 8725
   * §3.8). `true` accepts http on any host. Default `false`.
   */
  allowInsecureHttp?: boolean;
  /**
   * The online check behind `@RequireActiveToken()`: either an RFC 7662
   * endpoint with this service's client credentials, or your own introspector.
   */
  introspection?:
    | {
        /** Default: `introspection_endpoint` of the issuer's metadata. */
        endpoint?: string;
        clientId: string;
        clientSecret: string;
        /** How long an answer is reused for the same token. Default `10`. */
        cacheSeconds?: number;
      }
    | { introspector: TokenIntrospector };
  /**
   * Accept `?access_token=` (RFC 6750 §2.3)? Default `false`: URLs end up in logs
   * and histories, so the parameter is refused with 400 `invalid_request`. When
   * `true`, a token sent both in the header and the query is still refused (§2),
   * and a request served with a query token is answered `Cache-Control: private`.
   */
  allowQueryToken?: boolean;
  /** The `realm` of `WWW-Authenticate` challenges. Default `api`. */
  realm?: string;
  /**
   * Tokens already verified are remembered, keyed by the whole token, until
   * their `exp`, while their key is still the resolver's (see the README).
   * Default `{ maxEntries: 10000 }`; `false` verifies every request in full.
   * Routes with `@RequireActiveToken()` never use it.
   */
  verifiedTokenCache?: { maxEntries?: number } | false;
}

export const DEFAULT_ALGORITHMS: AccessTokenAlgorithm[] = ['RS256', 'ES256'];
