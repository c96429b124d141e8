import type { Response } from 'express';

/**
 * CONTRACT (issue 6): the server-rendered pages of the browser flow. The
 * authorization endpoint and interaction controllers call these; the views
 * module owns the markup, the stylesheet and the security headers. Every
 * string passed in is plain text and is escaped by the view.
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
}

/** Extra CSP sources a page needs, e.g. the client's redirect origin in `form-action` (browsers apply it to the redirect after the POST). */
export interface PageOptions {
  formActionOrigins?: string[];
}

export function renderLoginPage(model: LoginPageModel): string {
  return `<!doctype html><title>Sign in</title><p>${escapeHtml(model.clientName)}</p>`;
}

export function renderConsentPage(model: ConsentPageModel): string {
  return `<!doctype html><title>Consent</title><p>${escapeHtml(model.clientName)}</p>`;
}

export function renderErrorPage(model: ErrorPageModel): string {
  return `<!doctype html><title>${escapeHtml(model.title)}</title><p>${escapeHtml(model.message)}</p>`;
}

export function renderLogoutPage(model: LogoutPageModel): string {
  return `<!doctype html><title>Sign out</title><p>${model.state}</p>`;
}

/** Writes a page with `status`, `Content-Type: text/html`, `Cache-Control: no-store` and the page security headers (CSP, frame-ancestors 'none', nosniff, referrer policy). */
export function sendPage(
  res: Response,
  status: number,
  html: string,
  options: PageOptions = {},
): void {
  void options;
  res.status(status).type('html').setHeader('Cache-Control', 'no-store');
  res.send(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
