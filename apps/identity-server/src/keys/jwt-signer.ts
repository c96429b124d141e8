import { Injectable } from '@nestjs/common';
import { JWTPayload, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { KeyObject } from 'node:crypto';
import { KeyRingService } from './key-ring.service';

export const SUPPORTED_SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;

/** The ring's current signing key, as {@link KeyRingService.signingKey} gives it. */
export type SigningKey = Awaited<ReturnType<KeyRingService['signingKey']>>;

/** A token verified before: its claims, the key that verified it, and that key's lookup. */
interface VerifiedToken {
  payload: JWTPayload;
  key: KeyObject;
  kid: string | undefined;
  alg: string;
}

/** How many verified tokens are remembered (about 1 KB each). */
const VERIFIED_TOKENS_KEPT = 10_000;

/** Signs and verifies JWTs with the key ring (kid in every header). */
@Injectable()
export class JwtSigner {
  /**
   * Tokens verified before, by their exact bytes and the expectations they met.
   * A client introspects, or calls `/api` with, the same token until it expires,
   * and each full verification parses it twice and runs the signature check.
   * An entry is used only before the token's `exp` and only while the ring
   * still publishes the very key that verified it (a revoked or retired key
   * ends it); only successes are stored. Whether the token is still *active*
   * (revocation, client and user status) is never remembered here.
   */
  private readonly verified = new LRUCache<string, VerifiedToken>({ max: VERIFIED_TOKENS_KEPT });

  constructor(private readonly ring: KeyRingService) {}

  /**
   * Signs `claims` with the current key, or with `key` when the caller already
   * read it (to derive something from its algorithm, like OIDC's `at_hash`);
   * `typ` goes in the protected header (RFC 9068 §2.1: `at+jwt`).
   */
  async sign(claims: JWTPayload, typ: string, key?: SigningKey): Promise<string> {
    key ??= await this.ring.signingKey();
    // jose signs through node:crypto's asynchronous API: the work runs on the thread pool.
    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ })
      .sign(key.privateKey);
  }

  /**
   * Verifies the signature with a published key chosen by kid, with the
   * algorithm pinned to that key's, and the header `typ`. Throws on any failure.
   */
  async verify(token: string, expected: { typ: string; issuer: string }): Promise<JWTPayload> {
    const cacheKey = `${expected.typ} ${expected.issuer} ${token}`;
    const known = this.verified.get(cacheKey);
    if (known && (await this.stillValid(known))) return known.payload;
    let used: Omit<VerifiedToken, 'payload'> | undefined;
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = await this.ring.publicKey({ kid: header.kid, alg: header.alg });
        if (!key) throw new Error('unknown key');
        used = { key, kid: header.kid, alg: header.alg };
        return key;
      },
      { algorithms: [...SUPPORTED_SIGNING_ALGORITHMS], typ: expected.typ, issuer: expected.issuer },
    );
    // Only tokens that expire are remembered, and never past that.
    // Callers share a remembered payload: it is frozen.
    if (used && typeof payload.exp === 'number')
      this.verified.set(cacheKey, { payload: Object.freeze(payload), ...used });
    return payload;
  }

  private async stillValid(known: VerifiedToken): Promise<boolean> {
    if (Date.now() / 1000 >= (known.payload.exp as number)) return false;
    return (await this.ring.publicKey({ kid: known.kid, alg: known.alg })) === known.key;
  }
}
