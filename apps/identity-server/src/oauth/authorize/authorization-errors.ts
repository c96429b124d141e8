/** The error codes of the authorization endpoint (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
export type AuthorizationErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'server_error'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'request_not_supported'
  | 'request_uri_not_supported';

/**
 * The client or its redirect URI cannot be trusted (unknown client, a
 * redirect URI that is not registered): RFC 6749 §4.1.2.1 says to tell the
 * user, never to redirect. Shown as the error page.
 */
export class UntrustedRedirectError extends Error {
  constructor(readonly description: string) {
    super(description);
    this.name = 'UntrustedRedirectError';
  }
}

/** Any other problem: sent back to the client's redirect URI as `error` (§4.1.2.1). */
export class AuthorizationError extends Error {
  constructor(
    readonly code: AuthorizationErrorCode,
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
    this.name = 'AuthorizationError';
  }
}
