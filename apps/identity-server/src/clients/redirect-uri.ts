const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Why a redirect URI may not be registered, or null when it may (RFC 6749
 * §3.1.2, RFC 9700 §2.1 and §4.1.3: exact matching, so no wildcards; https,
 * or http on the loopback interface only (RFC 8252 §7.3); no fragment; in
 * the normalised form a URL parser writes, so what is read is where it goes).
 */
export function redirectUriProblem(uri: string): string | null {
  if (uri.includes('*')) return 'must not contain wildcards';
  if (uri.includes('#')) return 'must not contain a fragment';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  // What is registered is what is matched, exactly, and what the browser is sent to after
  // parsing: the two must be the same string. Otherwise a backslash, a tab or a dot segment
  // makes the reviewer read one host while the browser goes to another.
  if (url.href !== uri) return `must be written as a URL parser writes it back (${url.href})`;
  if (url.username || url.password) return 'must not contain credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return 'must use https (http only on the loopback interface)';
}
