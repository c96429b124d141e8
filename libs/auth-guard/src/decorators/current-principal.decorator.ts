import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Principal } from '../principal';

/** Injects the validated caller: `handler(@CurrentPrincipal() principal: Principal)`. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => {
    return ctx.switchToHttp().getRequest<{ user: Principal }>().user;
  },
);
