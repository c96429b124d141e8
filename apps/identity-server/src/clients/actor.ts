import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Principal } from '@tessera/auth-guard';
import type { Request } from 'express';

/** Who acts on a registration, and from where (for the audit trail). */
export interface Actor {
  /** The user's id (`sub`). */
  id: string;
  ip: string | null;
  /** Holds `clients:review`: may see every registration. */
  isReviewer: boolean;
}

/** The actor of an `/api` request: the token's subject, from the request's address. */
export function actorOf(principal: Principal, req: Request): Actor {
  return {
    id: principal.subject,
    ip: req.ip ?? null,
    isReviewer: principal.permissions.includes('clients:review'),
  };
}

/** Injects the {@link Actor} of an `/api` request: `handler(@CurrentActor() actor: Actor)`. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<Request & { user: Principal }>();
  return actorOf(req.user, req);
});
