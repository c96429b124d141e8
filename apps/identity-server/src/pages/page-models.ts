/**
 * What the flow gives each page. Every string is plain text, escaped by the
 * page; `action` values are same-origin paths (anything else is refused).
 */

/** One scope as the consent page describes it (description from the scope catalogue). */
export interface ScopeDescription {
  name: string;
  description: string;
}

export interface LoginPageModel {
  /** Where the form posts (same origin), e.g. `/interaction/{uid}/login`. */
  action: string;
  csrfToken: string;
  /** The application the user is signing in to. */
  clientName: string;
  /** Re-filled after a failed attempt (never the password). */
  username?: string;
  /** Shown tied to the fields after a failed attempt. */
  error?: string;
}

export interface ConsentPageModel {
  action: string;
  csrfToken: string;
  clientName: string;
  /** The signed-in user's username, shown so they know which account consents. */
  username: string;
  scopes: ScopeDescription[];
}

export interface ErrorPageModel {
  title: string;
  message: string;
}

export interface LogoutPageModel {
  /** `confirm`: a form asking to sign out (POST, CSRF); `done`: says the user is signed out. */
  state: 'confirm' | 'done';
  action?: string;
  csrfToken?: string;
  /** The signed-in user's username, named on the confirmation when given. */
  username?: string;
}
