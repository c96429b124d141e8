/** The RFC 8414 members the library uses. */
export interface IssuerMetadata {
  issuer: string;
  jwks_uri: string;
  introspection_endpoint?: string;
}

/** Fetches `${issuer}/.well-known/oauth-authorization-server` and checks it names the same issuer (RFC 8414 §3.3). */
export async function discoverMetadata(issuer: string, timeoutMs: number): Promise<IssuerMetadata> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/oauth-authorization-server`;
  const response = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const metadata = (await response.json()) as Partial<IssuerMetadata>;
  if (metadata.issuer !== issuer.replace(/\/+$/, ''))
    throw new Error(`${url} names issuer ${String(metadata.issuer)}`);
  if (typeof metadata.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
  return metadata as IssuerMetadata;
}
