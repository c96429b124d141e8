import { Logger } from '@nestjs/common';
import { createLocalJWKSet, errors as joseErrors, JSONWebKeySet } from 'jose';
import type { KeyObject } from 'node:crypto';
import { AuthGuardModuleOptions, KeyLookup, VerificationKeyResolver } from '../auth-guard.options';
import { discoverMetadata } from './discovery';
import { requireSecureUrl } from './secure-url';
import { SigningKeysUnavailableError } from './signing-keys-unavailable.error';

/** Fetches a JWK Set (RFC 7517 §5); a redirect or any answer but 200 is a failure. */
async function fetchJwks(url: string, timeoutMs: number): Promise<JSONWebKeySet> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/jwk-set+json, application/json' },
    // The key set is trusted only at the address configured or discovered, never one it points to.
    redirect: 'error',
  });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as JSONWebKeySet;
}

/**
 * The default key resolver: the issuer's JWKS, at `jwksUri` or discovered from
 * its RFC 8414 metadata, cached for `cacheMaxAgeSeconds`. An unknown kid
 * refetches the set early (a key may have been published since), at most once
 * per `cooldownSeconds`. A failed fetch starts the same cooldown: jose's remote
 * key set retried on every lookup while the issuer was down, so an outage
 * turned each request into a request to the issuer. While no usable set is
 * held, lookups throw {@link SigningKeysUnavailableError} (so requests get
 * 503) until the issuer answers again. Concurrent lookups share one fetch.
 *
 * The JWKS, and the issuer when it is discovered, must be https (or http on a
 * loopback host, or `allowInsecureHttp`): a configured address that is not
 * throws here, at module start; a discovered `jwks_uri` that is not is never
 * fetched, and lookups fail as for an unreachable issuer.
 */
export function remoteJwksResolver(options: AuthGuardModuleOptions): VerificationKeyResolver {
  const logger = new Logger('AuthGuard');
  const allowInsecureHttp = options.allowInsecureHttp ?? false;
  if (options.jwksUri !== undefined)
    requireSecureUrl(options.jwksUri, 'AuthGuardModule: `jwksUri`', allowInsecureHttp);
  else
    requireSecureUrl(
      options.issuer,
      'AuthGuardModule: `issuer` (its metadata is discovered)',
      allowInsecureHttp,
    );
  const cacheMaxAge = (options.jwks?.cacheMaxAgeSeconds ?? 300) * 1000;
  const cooldown = (options.jwks?.cooldownSeconds ?? 30) * 1000;
  const timeout = options.jwks?.timeoutMs ?? 5000;
  let jwksUri = options.jwksUri;
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedAt = -Infinity;
  let attemptedAt = -Infinity;
  let failedAt = -Infinity;
  let fetching: Promise<void> | undefined;

  function refetch(): Promise<void> {
    fetching ??= (async () => {
      attemptedAt = Date.now();
      try {
        if (jwksUri === undefined) {
          const metadata = await discoverMetadata(options.issuer, timeout, allowInsecureHttp);
          // RFC 8725 §3.8: keys only from an https jwks_uri; refused, never fetched.
          requireSecureUrl(metadata.jwks_uri, 'the metadata `jwks_uri`', allowInsecureHttp);
          jwksUri = metadata.jwks_uri;
        }
        keySet = createLocalJWKSet(await fetchJwks(jwksUri, timeout));
        fetchedAt = Date.now();
      } catch (error) {
        failedAt = Date.now();
        logger.warn(
          `cannot fetch the signing keys of ${options.issuer}: ${(error as Error).message}`,
        );
        throw error;
      } finally {
        fetching = undefined;
      }
    })();
    return fetching;
  }

  /**
   * Joins the fetch under way, or starts one unless `since` (the last attempt,
   * or the last failure) is within the cooldown. Says whether it fetched.
   */
  async function refetchUnlessCoolingDown(since: number): Promise<boolean> {
    if (!fetching && Date.now() - since < cooldown) return false;
    await refetch();
    return true;
  }

  const isNoMatch = (error: unknown) =>
    error instanceof joseErrors.JWKSNoMatchingKey ||
    error instanceof joseErrors.JWKSMultipleMatchingKeys;

  return async (lookup: KeyLookup): Promise<KeyObject | undefined> => {
    const header = { alg: lookup.alg, kid: lookup.kid };
    try {
      if (!keySet || Date.now() - fetchedAt >= cacheMaxAge) {
        // A stale set is refetched at once, unless the issuer failed moments ago.
        if (!(await refetchUnlessCoolingDown(failedAt)))
          throw new Error('the last fetch failed moments ago');
      }
      try {
        return (await keySet!(header)) as KeyObject;
      } catch (error) {
        if (!isNoMatch(error) || !(await refetchUnlessCoolingDown(attemptedAt))) throw error;
        return (await keySet!(header)) as KeyObject;
      }
    } catch (error) {
      if (isNoMatch(error)) return undefined;
      // Retry-After: what is left of the cooldown that follows the last failure.
      throw new SigningKeysUnavailableError((failedAt + cooldown - Date.now()) / 1000);
    }
  };
}
