import { KeyLookup, VerifiedTokenCache } from '@tessera/auth-guard';
import { Injectable } from '@nestjs/common';
import { JWTPayload, jwtVerify } from 'jose';
import { KeyObject, sign as signAsync } from 'node:crypto';
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
  /** The encoded protected header of each (alg, kid, typ): the same few bytes for every token. */
  private readonly headers = new Map<string, string>();

  constructor(private readonly ring: KeyRingService) {}

  /**
   * Signs `claims` with the current key, or with `key` when the caller already
   * read it (to derive something from its algorithm, like OIDC's `at_hash`);
   * `typ` goes in the protected header (RFC 9068 §2.1: `at+jwt`).
   *
   * A JWS compact serialization (RFC 7515 §7.1) of the claims, written here
   * rather than with jose's `SignJWT`: it is one `crypto.sign` on libuv's thread
   * pool either way, and jose's builder around it (claim setters, a promisified
   * call, TextEncoder and buffer copies) cost about 9 µs of CPU per ES256 token,
   * a fifth of it; for RS256 the difference is within the signature's noise
   * (`node bench/jws-sign.mjs`; docs/performance.md, item 12). What jose checked
   * before signing is checked here, once per key: see {@link assertCanSign}.
   * Verification stays with jose, and the specs verify what this signs with it.
   */
  async sign(claims: JWTPayload, typ: string, key?: SigningKey): Promise<string> {
    key ??= await this.ring.signingKey();
    const input = `${this.headerOf(key, typ)}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = await new Promise<Buffer>((resolve, reject) =>
      signAsync(
        'sha256',
        Buffer.from(input),
        // RFC 7518 §3.4: an ES256 signature is R || S, 64 bytes, not DER.
        key.algorithm === 'ES256'
          ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' }
          : key.privateKey,
        (error, result) => (error ? reject(error) : resolve(result)),
      ),
    );
    return `${input}.${signature.toString('base64url')}`;
  }

  private headerOf(key: SigningKey, typ: string): string {
    const id = `${key.algorithm} ${typ} ${key.kid}`;
    let header = this.headers.get(id);
    if (header === undefined) {
      // The first token of a key: the key must be what its algorithm needs (then never again).
      assertCanSign(key);
      header = Buffer.from(JSON.stringify({ alg: key.algorithm, kid: key.kid, typ })).toString(
        'base64url',
      );
      // Keys rotate: a ring's few live keys times two types, never more than a handful.
      if (this.headers.size >= 64) this.headers.clear();
      this.headers.set(id, header);
    }
    return header;
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

/**
 * Refuses a key that cannot make the signature its algorithm names, as jose
 * did before each signature: an RSA private key of at least 2048 bits for
 * RS256 (RFC 7518 §3.3), a P-256 private key for ES256 (§3.4), nothing else.
 * A ring row whose algorithm and key disagree would otherwise sign tokens that
 * no verifier accepts.
 */
function assertCanSign(key: SigningKey): void {
  const { privateKey } = key;
  const details = privateKey.asymmetricKeyDetails;
  const fits =
    privateKey.type === 'private' &&
    ((key.algorithm === 'RS256' &&
      privateKey.asymmetricKeyType === 'rsa' &&
      (details?.modulusLength ?? 0) >= 2048) ||
      (key.algorithm === 'ES256' &&
        privateKey.asymmetricKeyType === 'ec' &&
        details?.namedCurve === 'prime256v1'));
  if (!fits)
    throw new Error(
      `signing key ${key.kid} cannot sign ${String(key.algorithm)} (${privateKey.type} ${privateKey.asymmetricKeyType ?? 'secret'} key)`,
    );
}
