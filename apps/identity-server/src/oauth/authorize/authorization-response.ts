/**
 * The authorization response location (RFC 6749 §4.1.2, §4.1.2.1): the
 * parameters are added to the redirect URI's query, keeping any query it was
 * registered with (§3.1.2), and `iss` names this server (RFC 9207 §2).
 */
export function responseLocation(
  redirectUri: string,
  params: Record<string, string | undefined>,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.append(name, value);
  return url.toString();
}
