import type { Request } from 'express';

/** Facts about the HTTP request that grants and the audit log need. */
export interface RequestContext {
  ip: string | null;
}

export function requestContext(req: Request): RequestContext {
  return { ip: req.ip ?? null };
}
