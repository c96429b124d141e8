import { IssuedAccessToken } from './access-token.issuer';

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
  /** OpenID Connect Core §3.1.3.3: present when the granted scope includes `openid`. */
  id_token?: string;
}

export function tokenResponse(
  access: IssuedAccessToken,
  scope: string,
  refreshToken?: string,
): TokenResponse {
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    // Always present: RFC 6749 §5.1 requires it whenever it differs from the request.
    scope,
  };
}
