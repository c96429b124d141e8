import { KeyLookup, VerifiedTokenCache } from '@tessera/auth-guard';
import { Injectable } from '@nestjs/common';
import { JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { KeyObject } from 'node:crypto';
import { KeyRingService } from './key-ring.service';

export const SUPPORTED_SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;

/** The ring's current signing key, as {@link KeyRingService.signingKey} gives it. */
export type SigningKey = Awaited<ReturnType<KeyRingService['signingKey']>>;

/** Signs and verifies JWTs with the key ring (kid in every header). */
@Injectable()
export class JwtSigner {
  /**
   * Tokens verified before, by their exact bytes and the expectations they met:
   * the guard library's cache, with the same rules (an entry is used only
   * before the token's `exp`, and only while the ring still gives the key that
   * verified it; only successes are stored). A client introspects, or calls
   * `/api` with, the same token until it expires, and each full verification
   * parses it twice and runs the signature check. Whether the token is still
   * *active* (revocation, client and user status) is never remembered here.
   */
  private readonly verified = new VerifiedTokenCache<JWTPayload>({
    expiresAt: (payload) => (typeof payload.exp === 'number' ? payload.exp * 1000 : 0),
  });
  private readonly resolveKey = (lookup: KeyLookup) => this.ring.publicKey(lookup);

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
    const known = await this.verified.find(cacheKey, this.resolveKey);
    if (known) return known;
    let used: { key: KeyObject; lookup: KeyLookup } | undefined;
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const lookup = { kid: header.kid, alg: header.alg };
        const key = await this.resolveKey(lookup);
        if (!key) throw new Error('unknown key');
        used = { key, lookup };
        return key;
      },
      { algorithms: [...SUPPORTED_SIGNING_ALGORITHMS], typ: expected.typ, issuer: expected.issuer },
    );
    // Callers share a remembered payload: the cache freezes it.
    if (used) this.verified.remember(cacheKey, payload, used.key, used.lookup);
    return payload;
  }
}
