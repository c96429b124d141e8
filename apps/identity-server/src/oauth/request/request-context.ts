import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** Facts about the HTTP request that grants and the audit log need. */
export interface RequestContext {
  ip: string | null;
}

/**
 * The caller's address as Express's `req.ip` gives it with `trust proxy` set
 * to a hop count: the nearest address that is not one of the last
 * `trustProxyHops` proxies in `X-Forwarded-For`.
 */
export function requestContext(req: IncomingMessage, trustProxyHops: number): RequestContext {
  const ip = proxyaddr(req, (_address, hop) => hop < trustProxyHops) as string | undefined;
  return { ip: ip ?? null };
}
