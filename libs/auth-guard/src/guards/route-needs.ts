import { ExecutionContext, Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Public } from '../decorators/public.decorator';
import { RequireActiveToken } from '../decorators/require-active-token.decorator';
import { Requirement, REQUIREMENTS } from '../decorators/requirements.decorator';

/** A route handler, as `ExecutionContext.getHandler()` gives it. */
export type Handler = ReturnType<ExecutionContext['getHandler']>;

/** The guard-relevant metadata of one route. */
export interface RouteNeeds {
  isPublic: boolean;
  requiresActiveToken: boolean;
  /** Method-level requirements first, then class-level ones (the order of the checks). */
  requirements: Requirement[];
}

/** What a route asks for, from its handler and its class. */
export function routeNeedsOf(reflector: Reflector, cls: Type, handler: Handler): RouteNeeds {
  const targets: Array<Handler | Type> = [handler, cls];
  return {
    isPublic: Boolean(reflector.getAllAndOverride(Public, targets)),
    requiresActiveToken: Boolean(reflector.getAllAndOverride(RequireActiveToken, targets)),
    requirements: targets.flatMap(
      (target) => (Reflect.getMetadata(REQUIREMENTS, target) as Requirement[] | undefined) ?? [],
    ),
  };
}

/**
 * Why a route's metadata contradicts itself, or undefined. A public route is
 * opened before any requirement is read, so `@Public()` (on the handler or its
 * class) next to a requirement would silently drop that requirement: fail
 * closed and call it a configuration error instead.
 */
export function publicRouteConflict(
  cls: Type,
  method: string,
  needs: RouteNeeds,
): string | undefined {
  if (!needs.isPublic) return undefined;
  const asked = [...new Set(needs.requirements.map((requirement) => `${requirement.kind}s`))];
  if (needs.requiresActiveToken) asked.push('an active token');
  if (asked.length === 0) return undefined;
  return `${cls.name}.${method} is @Public() but also requires ${asked.join(', ')}`;
}

/** The one error for such routes: remove `@Public()` or the requirements. */
export function publicRouteError(conflicts: string[]): Error {
  return new Error(
    `AuthGuardModule: ${conflicts.join('; ')}. A public route checks nothing: remove @Public() or the requirements.`,
  );
}
