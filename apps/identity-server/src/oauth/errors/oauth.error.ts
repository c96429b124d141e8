/** RFC 6749 §5.2 (and RFC 7009 §2.2.1) error codes. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'server_error';

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
};

/**
 * The one error type of the OAuth endpoints. It is data: a code, a
 * description safe to show to the client, and the HTTP status the code
 * implies. `OAuthExceptionFilter` is the only place that writes it.
 */
export class OAuthError extends Error {
  readonly status: number;

  constructor(
    readonly code: OAuthErrorCode,
    readonly description?: string,
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
