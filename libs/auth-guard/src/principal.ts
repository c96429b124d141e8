import { AccessTokenClaims } from './access-token-claims';

/** Who is calling: the typed view of a validated access token. */
export interface Principal {
  /** `sub`: the user id, or the client id when a client acts as itself. */
  subject: string;
  /** `client_id`: the application that obtained the token. */
  clientId: string;
  /** True when no user is involved (client credentials). */
  isClient: boolean;
  username?: string;
  scopes: string[];
  roles: string[];
  permissions: string[];
  /** `jti`. */
  tokenId: string;
  /** `exp`. */
  expiresAt: Date;
  /** The raw claims, for anything not mapped above. */
  claims: AccessTokenClaims;
}

export function principalFromClaims(claims: AccessTokenClaims): Principal {
  return {
    subject: claims.sub,
    clientId: claims.client_id,
    isClient: claims.sub === claims.client_id && claims.username === undefined,
    username: claims.username,
    scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [],
    roles: Array.isArray(claims.roles) ? claims.roles : [],
    permissions: Array.isArray(claims.permissions) ? claims.permissions : [],
    tokenId: claims.jti,
    expiresAt: new Date(claims.exp * 1000),
    claims,
  };
}
