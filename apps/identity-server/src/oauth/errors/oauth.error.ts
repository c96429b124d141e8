/** RFC 6749 §5.2 (and RFC 7009 §2.2.1) error codes. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'server_error'
  | 'temporarily_unavailable';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  // RFC 6749 §5.2: 401 when the client tried to authenticate; we always answer 401 with a Basic challenge.
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  unsupported_token_type: 400,
  server_error: 500,
  // RFC 6749 §4.1.2.1 defines this code for the authorization endpoint only; the token
  // endpoint (§5.2) has none for overload, so we reuse it there, as other servers do:
  // clients already know it, and 503 + Retry-After is what HTTP says (RFC 9110 §15.6.4).
  temporarily_unavailable: 503,
};

/**
 * The one error type of the OAuth endpoints. It is data: a code, a
 * description safe to show to the client, and the HTTP status the code
 * implies. `writeOAuthError` is the only place that writes it.
 */
export class OAuthError extends Error {
  readonly status: number;

  constructor(
    readonly code: OAuthErrorCode,
    readonly description?: string,
    /** Sent as `Retry-After` (seconds) when set. */
    readonly retryAfterSeconds?: number,
  ) {
    super(description ? `${code}: ${description}` : code);
    this.name = 'OAuthError';
    this.status = STATUS[code];
  }
}

export const invalidRequest = (description: string) =>
  new OAuthError('invalid_request', description);
export const invalidClient = (description = 'client authentication failed') =>
  new OAuthError('invalid_client', description);
export const invalidGrant = (description: string) => new OAuthError('invalid_grant', description);
export const unauthorizedClient = (description: string) =>
  new OAuthError('unauthorized_client', description);
export const unsupportedGrantType = (description: string) =>
  new OAuthError('unsupported_grant_type', description);
export const invalidScope = (description: string) => new OAuthError('invalid_scope', description);

/** Overload: 503 with `Retry-After`, so that clients back off instead of retrying at once. */
export const temporarilyUnavailable = (description: string, retryAfterSeconds: number) =>
  new OAuthError('temporarily_unavailable', description, retryAfterSeconds);
