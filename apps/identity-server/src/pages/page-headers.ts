import type { Response } from 'express';

/** Extra CSP sources a page needs, e.g. the client's redirect origin in `form-action` (browsers apply it to the redirect after the POST). */
export interface PageOptions {
  formActionOrigins?: string[];
}

/**
 * The origin `value` names, or null when it is not exactly an http(s) origin
 * (`scheme://host[:port]`, RFC 6454 §6.2). Only the serialisation made by the
 * URL parser reaches the header, so no caller's text can add a directive
 * (`;`), a source (space) or a header line.
 */
export function cspOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.origin !== value && `${url.origin}/` !== value) return null;
  return url.origin;
}

/**
 * CSP Level 3 for the pages: nothing by default; the one stylesheet and
 * images from Tessera itself; no scripts at all; forms post to Tessera, and to
 * the origins given (the client's redirect URI: Chromium applies `form-action`
 * to the redirect that follows a POST); never framed (clickjacking, RFC 6749
 * §10.13); no `<base>` that would move relative URLs.
 */
export function contentSecurityPolicy(formActionOrigins: string[] = []): string {
  const origins = [...new Set(formActionOrigins.map(cspOrigin))].filter(
    (origin): origin is string => origin !== null,
  );
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    ["form-action 'self'", ...origins].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The headers every page carries, whatever its status. */
export function pageHeaders(options: PageOptions = {}): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': contentSecurityPolicy(options.formActionOrigins),
    // Browsers without frame-ancestors (CSP 2) still honour this one.
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // The URLs of the flow carry interaction ids and, on the client's side,
    // codes: no page sends them on as a Referer (RFC 9700 §4.2.4).
    'Referrer-Policy': 'no-referrer',
    // Pages hold CSRF tokens and personal data; a back button must not show a stale form.
    'Cache-Control': 'no-store',
  };
}

/** Writes a page with `status`, `Content-Type: text/html`, `Cache-Control: no-store` and the page security headers (CSP, frame-ancestors 'none', nosniff, referrer policy). */
export function sendPage(
  res: Response,
  status: number,
  html: string,
  options: PageOptions = {},
): void {
  res.status(status);
  for (const [name, value] of Object.entries(pageHeaders(options))) res.setHeader(name, value);
  res.send(html);
}
