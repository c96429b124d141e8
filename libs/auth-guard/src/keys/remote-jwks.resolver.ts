import { Logger } from '@nestjs/common';
import { createRemoteJWKSet, errors as joseErrors } from 'jose';
import type { KeyObject } from 'node:crypto';
import { AuthGuardModuleOptions, KeyLookup, VerificationKeyResolver } from '../auth-guard.options';
import { discoverMetadata } from './discovery';

/**
 * The default key resolver: the issuer's JWKS, fetched with jose's remote key
 * set (cached for `cacheMaxAgeSeconds`; an unknown kid refetches at most once
 * per `cooldownSeconds`). An unreachable issuer makes lookups fail (so requests
 * get 401) until it answers again; nothing is thrown past the guard.
 */
export function remoteJwksResolver(options: AuthGuardModuleOptions): VerificationKeyResolver {
  const logger = new Logger('AuthGuard');
  const cacheMaxAge = (options.jwks?.cacheMaxAgeSeconds ?? 300) * 1000;
  const cooldownDuration = (options.jwks?.cooldownSeconds ?? 30) * 1000;
  const timeoutDuration = options.jwks?.timeoutMs ?? 5000;
  let keySet: ReturnType<typeof createRemoteJWKSet> | undefined;
  let lastDiscoveryFailure = 0;

  async function getKeySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (keySet) return keySet;
    let jwksUri = options.jwksUri;
    if (!jwksUri) {
      // Discovery failures are cooled down too, so an issuer that is down is not hammered.
      if (Date.now() - lastDiscoveryFailure < cooldownDuration)
        throw new Error('issuer metadata unavailable');
      try {
        jwksUri = (await discoverMetadata(options.issuer, timeoutDuration)).jwks_uri;
      } catch (error) {
        lastDiscoveryFailure = Date.now();
        throw error;
      }
    }
    keySet = createRemoteJWKSet(new URL(jwksUri), {
      cacheMaxAge,
      cooldownDuration,
      timeoutDuration,
    });
    return keySet;
  }

  return async (lookup: KeyLookup): Promise<KeyObject | undefined> => {
    try {
      const set = await getKeySet();
      return (await set({ alg: lookup.alg, kid: lookup.kid })) as KeyObject;
    } catch (error) {
      if (
        error instanceof joseErrors.JWKSNoMatchingKey ||
        error instanceof joseErrors.JWKSMultipleMatchingKeys
      )
        return undefined;
      logger.warn(
        `cannot fetch the signing keys of ${options.issuer}: ${(error as Error).message}`,
      );
      throw new Error('signing keys unavailable');
    }
  };
}
