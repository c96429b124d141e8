import { requireSecureUrl } from './secure-url';

/** The RFC 8414 members the library uses. */
export interface IssuerMetadata {
  issuer: string;
  jwks_uri: string;
  introspection_endpoint?: string;
}

/**
 * Fetches `${issuer}/.well-known/oauth-authorization-server` and checks it names
 * the same issuer (RFC 8414 §3.3). The issuer must be https (RFC 8414 §2), or
 * http on a loopback host or with `allowInsecureHttp`.
 */
export async function discoverMetadata(
  issuer: string,
  timeoutMs: number,
  allowInsecureHttp = false,
): Promise<IssuerMetadata> {
  requireSecureUrl(issuer, 'the issuer', allowInsecureHttp);
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/oauth-authorization-server`;
  const response = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json' },
    // A redirect could lead to plain http, past the https rule: refused, as for the JWKS.
    redirect: 'error',
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const metadata = (await response.json()) as Partial<IssuerMetadata>;
  if (metadata.issuer !== issuer.replace(/\/+$/, ''))
    throw new Error(`${url} names issuer ${String(metadata.issuer)}`);
  if (typeof metadata.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
  return metadata as IssuerMetadata;
}
