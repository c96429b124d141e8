import { BearerChallengeException } from '@tessera/auth-guard';
import type { Request } from 'express';

/** The `realm` of the userinfo endpoint's challenges (the same as the platform's `/api`). */
export const USERINFO_REALM = 'tessera';

/** RFC 6750 §2.1: `Bearer` followed by a token68 (RFC 9110 §11.2). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

const refuse = (description: string) =>
  new BearerChallengeException(USERINFO_REALM, 'invalid_request', description);

/**
 * The bearer access token of a request (RFC 6750 §2): from the `Authorization`
 * header, or for a POST from an `application/x-www-form-urlencoded` body's
 * `access_token` (§2.2). Null when the request carries none (the caller answers
 * with the bare challenge, §3.1). The URI query is refused: tokens there end
 * up in logs and browser history (§2.3 is optional, RFC 9700 §2.5 advises against it).
 */
export function bearerToken(req: Request): string | null {
  if ((req.query as Record<string, unknown> | undefined)?.access_token !== undefined)
    throw refuse('access tokens are not accepted in the query string');
  const header = req.headers.authorization;
  let fromHeader: string | null = null;
  if (header !== undefined && /^bearer(\s|$)/i.test(header)) {
    const match = BEARER.exec(header);
    if (!match) throw refuse('the Bearer credentials are malformed');
    fromHeader = match[1];
  }
  const fromBody = req.method === 'POST' ? bodyToken(req) : null;
  // §2: a client uses one method per request; more than one is invalid_request (§3.1).
  if (fromHeader !== null && fromBody !== null)
    throw refuse('send the access token in one way only');
  return fromHeader ?? fromBody;
}

function bodyToken(req: Request): string | null {
  if (!req.is('application/x-www-form-urlencoded')) return null;
  const value = (req.body as Record<string, unknown> | undefined)?.access_token;
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string') throw refuse('parameter access_token is repeated');
  return value;
}
