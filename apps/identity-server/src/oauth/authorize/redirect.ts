import type { Response } from 'express';

/**
 * A redirect of the browser flow. Never cached: it may carry a code, or
 * depend on the session (RFC 6749 §4.1.2 responses are one-time).
 */
export function sendRedirect(res: Response, status: 302 | 303, location: string): void {
  res.setHeader('Cache-Control', 'no-store');
  res.redirect(status, location);
}
