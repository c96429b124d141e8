/**
 * A validated authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC
 * Core §3.1.2.1). Kept server side while the user signs in or consents.
 */
export interface PendingAuthorization {
  clientRef: string;
  clientId: string;
  /** Where the response goes: the registered URI matched, or the only one registered. */
  redirectUri: string;
  /** True when the request carried `redirect_uri` (RFC 6749 §4.1.3: then the token request must repeat it). */
  redirectUriSent: boolean;
  scope: string[];
  state?: string;
  codeChallenge: string;
  nonce?: string;
  /** OIDC `prompt` values: `none`, `login`, `consent`, `select_account`. */
  prompt: string[];
  /** OIDC `max_age`, seconds. */
  maxAge?: number;
}
