/**
 * The browser flow's cookies. The session cookie names a server-side session
 * (single sign-on); the interaction cookie binds one pending interaction to
 * the browser that started it, and is sent only to that interaction's path.
 */
export const SESSION_COOKIE = 'tessera_session';
export const INTERACTION_COOKIE = 'tessera_interaction';

export const INTERACTION_PATH = 'interaction';

export function interactionPath(uid: string): string {
  return `/${INTERACTION_PATH}/${uid}`;
}
