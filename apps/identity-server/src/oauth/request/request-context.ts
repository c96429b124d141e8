import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** Facts about the HTTP request that grants and the audit log need. */
export interface RequestContext {
  readonly ip: string | null;
}

/**
 * The caller's address as Express's `req.ip` gives it with `trust proxy` set
 * to a hop count: the nearest address that is not one of the last
 * `trustProxyHops` proxies in `X-Forwarded-For`.
 */
export function requestContext(req: IncomingMessage, trustProxyHops: number): RequestContext {
  // Worked out when first read: only audit records and a few grants need it, not the hot paths.
  let ip: string | null | undefined;
  return {
    get ip() {
      ip ??= proxyaddr(req, (_address, hop) => hop < trustProxyHops) ?? null;
      return ip;
    },
  };
}
