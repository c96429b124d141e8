import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Keyed hashing for high-entropy secrets (client secrets, refresh tokens).
 * They carry 256 bits of randomness, so a fast HMAC is as safe as bcrypt and
 * keeps the token endpoint fast; the key means a stolen table alone cannot even
 * be checked against a guess.
 */
export class SecretHasher {
  constructor(private readonly key: Buffer) {}

  /** Hex HMAC-SHA-256 of `secret`: what the database stores. */
  hash(secret: string): string {
    return createHmac('sha256', this.key).update(secret, 'utf8').digest('hex');
  }

  /** Constant-time check of `secret` against a stored hash. */
  matches(secret: string, storedHash: string): boolean {
    return constantTimeEqualHex(this.hash(secret), storedHash);
  }
}

/** Constant-time comparison of two hex digests (different lengths compare unequal). */
export function constantTimeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** A URL-safe random secret of `bytes` bytes (default 32 = 256 bits). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
