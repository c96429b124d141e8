import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** What a refresh token carries: the grant it belongs to, which never changes while it lives. */
export interface RefreshGrant {
  /** The grant (refresh-token family) id: `refresh_token_families.id`, `grant_id` in access tokens. */
  familyId: string;
  /** `clients.id` of the client the grant was given to. */
  clientRef: string;
  userId: string;
  /** The scope originally granted; every successor keeps it. */
  scope: string;
  /** When the user authenticated (RFC 9068 `auth_time`). */
  authTime: Date;
  /**
   * Present when the grant began with an OpenID Connect authentication (the
   * authorization code flow with `openid`): a refresh then returns a new ID
   * token (Core 1.0 §12.2) with the authentication request's `nonce`, if it
   * had one. Absent for the password grant, which issues no ID token.
   */
  oidc?: { nonce?: string };
}

const VERSION = 1;
const NONCE_BYTES = 16;
const TAG_BYTES = 16;
/** Each token has its own key (see {@link RefreshTokenSealer}), so a fixed IV never repeats under one key. */
const IV = Buffer.alloc(12);
const AAD = Buffer.from('tessera/refresh-token/v1', 'utf8');
/** Far above any real token (a long scope list included); longer input is refused before decoding. */
const MAX_TOKEN_LENGTH = 8192;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Refresh tokens as sealed envelopes: the grant a token belongs to,
 * encrypted and authenticated with AES-256-GCM under a server key, plus
 * 128 random bits.
 *
 * Why: a rotation then needs no read. The token says which grant it is,
 * and a single conditional UPDATE of that grant's row checks and replaces
 * the current token's hash (see `RefreshTokenStore.redeem`). Only a token
 * this server sealed opens, so a presented token that opens but is not the
 * grant's current one is a replayed earlier token of that grant: reuse is
 * detected exactly without keeping every earlier hash, and no one can forge a
 * token that revokes somebody else's grant.
 *
 * Each token is sealed under its own key, HMAC-SHA-256(server key, nonce),
 * rather than under the server key with a random 96-bit IV. That keeps AES-GCM
 * far from its per-key message limit however many rotations a deployment
 * does. The envelope is opaque to clients; what it holds (user, grant, scope,
 * authentication time, and an OpenID grant's authentication-request nonce) is
 * what they see in their access and ID tokens anyway.
 *
 * Layout, base64url without padding: version (1 byte) | nonce (16) |
 * ciphertext of a JSON array | GCM tag (16). The array holds the grant's
 * fields in a fixed order, and a sixth element for an OpenID grant (see
 * {@link RefreshGrant.oidc}); a token without it opens as before.
 */
export class RefreshTokenSealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the refresh-token sealing key must be 32 bytes');
  }

  seal(grant: RefreshGrant): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.tokenKey(nonce), IV, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(AAD);
    const fields: unknown[] = [
      grant.familyId,
      grant.clientRef,
      grant.userId,
      grant.scope,
      grant.authTime.getTime(),
    ];
    // A sixth element only for an OpenID grant: `[]`, or `[nonce]`. Tokens sealed before it existed have five.
    if (grant.oidc) fields.push(grant.oidc.nonce === undefined ? [] : [grant.oidc.nonce]);
    const body = JSON.stringify(fields);
    const sealed = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
    const token = Buffer.concat([Buffer.of(VERSION), nonce, sealed, cipher.getAuthTag()]).toString(
      'base64url',
    );
    // Never hand out a token that open() would refuse (a scope of thousands of characters).
    if (token.length > MAX_TOKEN_LENGTH)
      throw new Error(
        `a refresh token would be ${token.length} characters, over ${MAX_TOKEN_LENGTH}`,
      );
    return token;
  }

  /**
   * The grant a token was sealed for, or null for anything this server did not
   * seal: malformed, truncated, altered, sealed under another key, or in a
   * non-canonical encoding (two spellings of one token would hash apart).
   */
  open(token: string): RefreshGrant | null {
    if (token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) return null;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length <= 1 + NONCE_BYTES + TAG_BYTES || raw[0] !== VERSION) return null;
    if (raw.toString('base64url') !== token) return null;

    const nonce = raw.subarray(1, 1 + NONCE_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.tokenKey(nonce), IV, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    let body: string;
    try {
      body = Buffer.concat([
        decipher.update(raw.subarray(1 + NONCE_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return null; // the tag does not match: not sealed by this key, or altered
    }
    return parseGrant(body);
  }

  private tokenKey(nonce: Buffer): Buffer {
    return createHmac('sha256', this.key).update(nonce).digest();
  }
}

/** Authentic input can only be what {@link RefreshTokenSealer.seal} wrote; checked all the same. */
function parseGrant(body: string): RefreshGrant | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || (value.length !== 5 && value.length !== 6)) return null;
  const [familyId, clientRef, userId, scope, authTime, oidc] = value as unknown[];
  if (
    typeof familyId !== 'string' ||
    typeof clientRef !== 'string' ||
    typeof userId !== 'string' ||
    typeof scope !== 'string' ||
    typeof authTime !== 'number' ||
    !Number.isSafeInteger(authTime)
  )
    return null;
  const grant: RefreshGrant = { familyId, clientRef, userId, scope, authTime: new Date(authTime) };
  if (value.length === 6) {
    if (!Array.isArray(oidc) || oidc.length > 1) return null;
    const [nonce] = oidc as unknown[];
    if (nonce !== undefined && typeof nonce !== 'string') return null;
    grant.oidc = nonce === undefined ? {} : { nonce };
  }
  return grant;
}
