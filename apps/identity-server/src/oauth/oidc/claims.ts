import { OIDC_SCOPES, parseScope } from '../../clients/scope';

// The names belong to the scope vocabulary of `clients`; the claims they release are defined here.

/** What the claims are made of: the account as the accounts module describes it, never its hash. */
export interface ClaimsSource {
  username: string;
  email: string | null;
  /** The account row's last change (a sign-in counts too): never earlier than the last profile change. */
  updatedAt: Date | null;
}

/**
 * The user claims the platform can state (Core §5.1), advertised as
 * `claims_supported` with the ID token's own claims. Tessera keeps no display
 * name, so `name` is not among them: a claim the OP does not have is omitted (§5.3.2).
 */
export const USER_CLAIMS = ['preferred_username', 'updated_at', 'email', 'email_verified'] as const;

/** Claims of every ID token (Core §2) and of userinfo (`sub`, §5.3.2). */
export const ID_TOKEN_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'amr',
  'nonce',
  'azp',
  'at_hash',
] as const;

/**
 * The user claims that `scope` releases (Core §5.4), shared by the ID token
 * and the userinfo endpoint so that both always say the same:
 * - `profile` → `preferred_username` (the username), `updated_at` (seconds since the epoch);
 * - `email` → `email` and `email_verified`, when the account has an address.
 *   `email_verified` is always false: the platform never proves that a user
 *   controls the address (an admin types it in), and a relying party must not
 *   treat it as verified (Core §5.1).
 * Other scopes (the resource scopes, `openid` itself) release nothing.
 */
export function claimsForScope(scope: string, account: ClaimsSource): Record<string, unknown> {
  const granted = new Set(parseScope(scope) ?? []);
  const claims: Record<string, unknown> = {};
  if (granted.has(OIDC_SCOPES.profile)) {
    claims.preferred_username = account.username;
    if (account.updatedAt) claims.updated_at = Math.floor(account.updatedAt.getTime() / 1000);
  }
  if (granted.has(OIDC_SCOPES.email) && account.email) {
    claims.email = account.email;
    claims.email_verified = false;
  }
  return claims;
}

/** Whether `scope` (space-separated) contains `token` exactly. */
export function hasScope(scope: string | undefined, token: string): boolean {
  return (parseScope(scope ?? '') ?? []).includes(token);
}
