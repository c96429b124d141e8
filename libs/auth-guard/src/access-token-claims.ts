/** RFC 9068 §2.1: the `typ` header of every Tessera access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/**
 * The claims of a Tessera access token (RFC 9068 §2.2). User tokens carry
 * `username`, `roles`, `permissions` and `auth_time`; a client acting as itself
 * (client credentials) has `sub` equal to its `client_id` and none of those.
 */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  /** Space-separated granted scopes (RFC 6749 §3.3). */
  scope: string;
  auth_time?: number;
  username?: string;
  roles?: string[];
  permissions?: string[];
}
