import { createHash } from 'node:crypto';
import { TokenIntrospector } from '../auth-guard.options';
import { discoverMetadata } from '../keys/discovery';
import { requireSecureUrl } from '../keys/secure-url';

const MAX_CACHED = 10_000;

/**
 * RFC 7662 introspection over HTTP with this service's client credentials.
 * Answers are cached per token (by its SHA-256) for `cacheSeconds`, so a busy
 * route costs the issuer one request per token per interval. Network errors
 * propagate: the guard then refuses the request (fail closed). The endpoint,
 * given or discovered, and the issuer whose metadata is discovered, must be
 * https (or http on a loopback host, or with `allowInsecureHttp`): the client
 * secret travels with every request.
 */
export class HttpTokenIntrospector implements TokenIntrospector {
  private readonly cache = new Map<string, { active: boolean; until: number }>();
  private endpoint: string | undefined;

  constructor(
    private readonly config: {
      issuer: string;
      endpoint?: string;
      clientId: string;
      clientSecret: string;
      cacheSeconds?: number;
      allowInsecureHttp?: boolean;
    },
  ) {
    this.endpoint = config.endpoint;
    // The client secret goes to the endpoint in every request: never over plain http off the machine.
    if (this.endpoint !== undefined)
      requireSecureUrl(
        this.endpoint,
        'AuthGuardModule: the introspection `endpoint`',
        config.allowInsecureHttp,
      );
    else
      requireSecureUrl(
        config.issuer,
        'AuthGuardModule: `issuer` (its metadata is discovered)',
        config.allowInsecureHttp,
      );
  }

  async isActive(token: string): Promise<boolean> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.active;

    if (this.endpoint === undefined) {
      const discovered = (
        await discoverMetadata(this.config.issuer, 5000, this.config.allowInsecureHttp)
      ).introspection_endpoint;
      if (!discovered) throw new Error('the issuer advertises no introspection_endpoint');
      requireSecureUrl(
        discovered,
        'the introspection_endpoint in the metadata',
        this.config.allowInsecureHttp,
      );
      this.endpoint = discovered;
    }
    const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
    const response = await fetch(this.endpoint, {
      method: 'POST',
      // A redirect would resend the token and the client secret elsewhere, maybe over plain http.
      redirect: 'error',
      signal: AbortSignal.timeout(5000),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        // RFC 6749 §2.3.1: form-encode each part before Basic.
        authorization: `Basic ${Buffer.from(`${encode(this.config.clientId)}:${encode(this.config.clientSecret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    });
    if (!response.ok) throw new Error(`introspection answered ${response.status}`);
    const active = ((await response.json()) as { active?: unknown }).active === true;

    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, { active, until: now + (this.config.cacheSeconds ?? 10) * 1000 });
    return active;
  }
}
