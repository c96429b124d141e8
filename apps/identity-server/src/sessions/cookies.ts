import type { Request, Response } from 'express';

/**
 * Reads one cookie from the request's `Cookie` header (RFC 6265 §5.4), or
 * undefined. When a name appears twice (two paths), the first wins: browsers
 * send the most specific path first. Another host can plant a name that way,
 * but not a `__Host-` one, nor a `__Secure-` one over http (RFC 6265bis §4.1.3).
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
  checkPrefix(name, settings);
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
  checkPrefix(name, settings);
  res.clearCookie(name, {
    httpOnly: true,
    sameSite: 'lax',
    secure: settings.secure,
    path: settings.path,
  });
}

/**
 * RFC 6265bis §4.1.3: browsers drop a `__Secure-` cookie without Secure, and a
 * `__Host-` one without Secure or with a Path other than `/` (we never send
 * Domain). Such a cookie would silently not exist: refuse to send it.
 */
function checkPrefix(name: string, settings: Pick<CookieSettings, 'path' | 'secure'>): void {
  const host = name.startsWith('__Host-');
  if ((host || name.startsWith('__Secure-')) && !settings.secure)
    throw new Error(`cookie ${name} needs Secure`);
  if (host && settings.path !== '/') throw new Error(`cookie ${name} needs Path=/`);
}
