import { Injectable } from '@nestjs/common';
import { JWTPayload, jwtVerify, SignJWT } from 'jose';
import { KeyRingService } from './key-ring.service';

export const SUPPORTED_SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;

/** The ring's current signing key, as {@link KeyRingService.signingKey} gives it. */
export type SigningKey = Awaited<ReturnType<KeyRingService['signingKey']>>;

/** Signs and verifies JWTs with the key ring (kid in every header). */
@Injectable()
export class JwtSigner {
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
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = await this.ring.publicKey({ kid: header.kid, alg: header.alg });
        if (!key) throw new Error('unknown key');
        return key;
      },
      { algorithms: [...SUPPORTED_SIGNING_ALGORITHMS], typ: expected.typ, issuer: expected.issuer },
    );
    return payload;
  }
}
