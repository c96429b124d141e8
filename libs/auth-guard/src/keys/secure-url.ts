import { isIPv4 } from 'node:net';

/** localhost, 127.0.0.0/8 and [::1]: plain http to these never leaves the machine. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  return isIPv4(host) && host.startsWith('127.');
}

/**
 * Throws unless `url` is https, or http on a loopback host, or http anywhere
 * with `allowInsecureHttp`. RFC 8414 §2: the issuer is an https URL; RFC 8725
 * §3.8: its keys come from an https `jwks_uri`. Keys fetched over plain http
 * can be replaced by anyone on the path, who can then sign any token.
 */
export function requireSecureUrl(url: string, what: string, allowInsecureHttp = false): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${what} must be an https URL (got ${JSON.stringify(url)})`);
  }
  if (parsed.protocol === 'https:') return;
  if (parsed.protocol === 'http:' && (allowInsecureHttp || isLoopbackHost(parsed.hostname))) return;
  throw new Error(
    `${what} must be an https URL (got ${url}); plain http is accepted only on loopback hosts ` +
      '(localhost, 127.0.0.0/8, [::1]), or anywhere with `allowInsecureHttp: true` (development only)',
  );
}
