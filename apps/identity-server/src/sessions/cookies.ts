import type { Request, Response } from 'express';

/**
 * Reads one cookie from the request's `Cookie` header (RFC 6265 §5.4), or
 * undefined. When a name appears twice (two paths), the first wins: browsers
 * send the most specific path first.
 */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface CookieSettings {
  path: string;
  /** Seconds; 0 deletes the cookie. */
  maxAgeSeconds: number;
  /** Sent only over https: set when the issuer is https. */
  secure: boolean;
}

/**
 * Sets a cookie only the server reads: HttpOnly (no script access) and
 * SameSite=Lax (not sent on cross-site POSTs, yet present when a client
 * sends the browser to /oauth/authorize by a top-level GET).
 */
export function setCookie(res: Response, name: string, value: string, settings: CookieSettings) {
  res.cookie(name, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: settings.secure,
    path: settings.path,
    maxAge: settings.maxAgeSeconds * 1000,
  });
}

export function clearCookie(
  res: Response,
  name: string,
  settings: Omit<CookieSettings, 'maxAgeSeconds'>,
) {
  res.clearCookie(name, {
    httpOnly: true,
    sameSite: 'lax',
    secure: settings.secure,
    path: settings.path,
  });
}
