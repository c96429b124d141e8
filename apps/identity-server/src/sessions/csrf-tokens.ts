import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { KeyMaterial } from '../crypto/key-material';

/**
 * CSRF tokens for the browser forms, derived rather than stored: an HMAC,
 * under a key of their own, of what the form acts on (a purpose, and the
 * secret that binds it to one browser: a session id, an interaction cookie).
 * A token is useless for any other browser, session or form.
 */
@Injectable()
export class CsrfTokens {
  private readonly key: Buffer;

  constructor(keys: KeyMaterial) {
    this.key = keys.keyFor('browser-csrf');
  }

  issue(purpose: string, ...binding: string[]): string {
    return createHmac('sha256', this.key)
      .update([purpose, ...binding].join('\0'))
      .digest('base64url');
  }

  /** Constant-time check of a presented token (absent or malformed → false). */
  verify(presented: unknown, purpose: string, ...binding: string[]): boolean {
    if (typeof presented !== 'string') return false;
    const expected = Buffer.from(this.issue(purpose, ...binding));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
