/**
 * The browser flow's cookies. The session cookie names a server-side session
 * (single sign-on); the interaction cookie binds one pending interaction to
 * the browser that started it, and is sent only to that interaction's path.
 */
const SESSION_COOKIE = 'tessera_session';
const INTERACTION_COOKIE = 'tessera_interaction';

/** The names the cookies are set and read under, for one issuer. */
export interface BrowserCookieNames {
  session: string;
  interaction: string;
  /** https issuer: the session cookie's name before the prefix, expired at sign-in, never read. */
  unprefixedSession?: string;
}

/**
 * With an https issuer (Secure cookies), names with the prefixes browsers
 * enforce (RFC 6265bis §4.1.3): `__Host-` for the session (Secure, Path=/, no
 * Domain), so that a sibling subdomain or a plain-http host cannot plant a
 * session of its own that would be read first (login CSRF, RFC 6749 §10.12);
 * `__Secure-` for the interaction cookie, whose Path is the interaction's own.
 * Only these names are read. Browsers refuse both prefixes without Secure, so
 * an http issuer (development) keeps the bare names.
 */
export function browserCookieNames(secure: boolean): BrowserCookieNames {
  if (!secure) return { session: SESSION_COOKIE, interaction: INTERACTION_COOKIE };
  return {
    session: `__Host-${SESSION_COOKIE}`,
    interaction: `__Secure-${INTERACTION_COOKIE}`,
    unprefixedSession: SESSION_COOKIE,
  };
}

export const INTERACTION_PATH = 'interaction';

export function interactionPath(uid: string): string {
  return `/${INTERACTION_PATH}/${uid}`;
}
