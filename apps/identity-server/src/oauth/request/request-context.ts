import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** Facts about the HTTP request that grants and the audit log need. */
export interface RequestContext {
  ip: string | null;
}

/** Whether the proxy at `address`, `hop` hops from the server, is trusted (Express's `trust proxy fn`). */
export type ProxyTrust = (address: string, hop: number) => boolean;

/** The caller's address exactly as Express's `req.ip` gives it under the same trust rule. */
export function requestContext(req: IncomingMessage, trust: ProxyTrust): RequestContext {
  return { ip: proxyaddr(req, trust) ?? null };
}
