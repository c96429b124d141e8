/**
 * The key resolver could not answer (JWKS or metadata fetch failed, or is
 * cooling down after a failure), as opposed to "no such key". A server-side
 * failure, not a bad token: the guard answers 503 with `Retry-After`.
 */
export class SigningKeysUnavailableError extends Error {
  /** Seconds until a new fetch may be tried; at least 1. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, options?: { cause?: unknown }) {
    super('signing keys unavailable', options);
    this.name = 'SigningKeysUnavailableError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
