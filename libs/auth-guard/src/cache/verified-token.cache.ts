import type { KeyObject } from 'node:crypto';
import { KeyLookup, VerificationKeyResolver } from '../auth-guard.options';
import { Principal } from '../principal';

/** Default bound of {@link VerifiedTokenCache}: about 2 KB per entry, so about 20 MB at most. */
export const DEFAULT_VERIFIED_TOKEN_CACHE_ENTRIES = 10_000;

/** What the cache needs to know of the values it keeps. */
export interface VerifiedValueRules<T> {
  /** When the token behind `value` expires, in ms since the epoch (its `exp`). */
  expiresAt(value: T): number;
}

/** The guard's values: principals, which expire with their token's `exp`. */
const PRINCIPALS: VerifiedValueRules<Principal> = {
  expiresAt: (principal) => principal.claims.exp * 1000,
};

interface Entry<T> {
  value: T;
  /** The key the signature was verified with, and how it was looked up. */
  key: KeyObject;
  lookup: KeyLookup;
  /** `exp` in ms: the entry is never used at or after it. */
  expiresAt: number;
}

/**
 * Remembers tokens that have been fully verified, keyed by the whole compact
 * serialization (or by a key that contains it, with the expectations the
 * token met), with what the verification produced: the guard keeps its
 * principals, the identity server its JWT payloads. A hit means these very
 * bytes passed every check before, so the signature, `iss`, `aud`, `typ` and
 * the required claims cannot have changed (RFC 7515 §5.2: the signature
 * covers header and payload). What can change is time and the keys:
 *
 * - an entry is never used at or after the token's `exp` (the clock tolerance
 *   is not extended: a token within it is verified again, and not cached);
 * - each hit asks the key resolver again, exactly as a verification would, and
 *   must get the same key back. A key that was revoked or dropped from the JWKS,
 *   or replaced under its kid, empties the whole cache at once, so revocation
 *   takes effect as fast as it did without the cache.
 *
 * Only successful verifications are stored (a failure costs a full check every
 * time, as before). The Map keeps insertion order, so it doubles as the LRU
 * list: a hit moves the entry to the end; beyond `maxEntries` the oldest go.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /** The guard's cache: principals, which expire with their token's `exp`. */
  static forPrincipals(maxEntries?: number, now?: () => number): VerifiedTokenCache<Principal> {
    return new VerifiedTokenCache(PRINCIPALS, maxEntries, now);
  }

  constructor(
    private readonly rules: VerifiedValueRules<T>,
    readonly maxEntries: number = DEFAULT_VERIFIED_TOKEN_CACHE_ENTRIES,
    private readonly now: () => number = () => Date.now(),
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new Error(
        'VerifiedTokenCache: maxEntries (verifiedTokenCache.maxEntries) must be a positive integer',
      );
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * What exactly this token gave when it was verified, if it has not reached
   * `exp` and its key is still the one the resolver gives. Any doubt
   * (resolver error included) is a miss: the caller then verifies in full.
   */
  async find(token: string, resolveKey: VerificationKeyResolver): Promise<T | undefined> {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAt) {
      this.entries.delete(token);
      return undefined;
    }
    let current: KeyObject | undefined;
    try {
      current = await resolveKey(entry.lookup);
    } catch {
      // Keys unavailable now: the full verification path decides, and answers as it always did.
      return undefined;
    }
    if (!current || (current !== entry.key && !current.equals(entry.key))) {
      // The key set changed under us: nothing verified with the old one is trusted any longer.
      this.entries.clear();
      return undefined;
    }
    this.entries.delete(token);
    this.entries.set(token, entry);
    return entry.value;
  }

  /**
   * Stores a token that has just passed every check (one without a future
   * `exp` is not stored). The value is frozen, nested objects included, since
   * the same object is handed to every later caller with this token.
   */
  remember(token: string, value: T, key: KeyObject, lookup: KeyLookup): void {
    const expiresAt = this.rules.expiresAt(value);
    if (!(expiresAt > this.now())) return;
    deepFreeze(value);
    this.entries.delete(token);
    this.entries.set(token, {
      value,
      key,
      lookup: { kid: lookup.kid, alg: lookup.alg },
      expiresAt,
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Shared between requests: no handler may change what the next caller sees.
 * Values are plain data (claims, principals): neither cycles nor typed arrays.
 * One gap remains: a Date (a principal's `expiresAt`) is frozen, but its
 * setters still work; the cache never reads it (it keeps its own copy of
 * `exp`), so a handler that changed it would only mislead later handlers.
 */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  for (const member of Object.values(value)) deepFreeze(member);
  Object.freeze(value);
}
