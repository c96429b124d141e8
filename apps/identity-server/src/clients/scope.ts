/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), space-delimited. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Splits a scope string into its distinct tokens; null when the syntax is invalid. */
export function parseScope(scope: string): string[] | null {
  const tokens = scope.split(' ').filter((token) => token.length > 0);
  if (!tokens.every((token) => SCOPE_TOKEN.test(token))) return null;
  return [...new Set(tokens)];
}

export function formatScope(tokens: Iterable<string>): string {
  return [...tokens].join(' ');
}

/**
 * The scopes OpenID Connect Core 1.0 gives a meaning to (§3.1.2.1, §5.4):
 * in the catalogue from the first start (migration 1763900000009).
 */
export const OIDC_SCOPES = { openid: 'openid', profile: 'profile', email: 'email' } as const;
