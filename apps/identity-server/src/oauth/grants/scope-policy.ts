import { formatScope, parseScope } from '../../clients/scope';
import { invalidScope } from '../errors/oauth.error';

/**
 * RFC 6749 §3.3: the scope to grant. No `scope` parameter means the default,
 * `allowed` (the client's granted scopes, or the original grant's on refresh);
 * a requested scope must lie wholly within `allowed`, else `invalid_scope`.
 */
export function grantScope(requested: string | undefined, allowed: readonly string[]): string {
  if (requested === undefined) return formatScope(allowed);
  const tokens = parseScope(requested);
  if (!tokens || tokens.length === 0) throw invalidScope('the scope parameter is malformed');
  const outside = tokens.filter((token) => !allowed.includes(token));
  if (outside.length > 0) throw invalidScope(`scope not allowed: ${formatScope(outside)}`);
  return formatScope(tokens);
}
