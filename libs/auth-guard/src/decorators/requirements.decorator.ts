import 'reflect-metadata';

/** What a route needs from the token. `all`: every value; `any`: at least one. */
export interface Requirement {
  kind: 'scope' | 'role' | 'permission';
  mode: 'all' | 'any';
  values: string[];
}

export const REQUIREMENTS = 'tessera:auth-guard:requirements';

/**
 * Appends a requirement to a controller or handler. Requirements accumulate:
 * class-level and method-level ones, and several decorators on one target, all
 * have to hold.
 */
function requirement(
  kind: Requirement['kind'],
  mode: Requirement['mode'],
  values: string[],
): ClassDecorator & MethodDecorator {
  if (values.length === 0) throw new Error(`a ${kind} requirement needs at least one value`);
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor?.value as object | undefined) ?? target;
    const existing = (Reflect.getMetadata(REQUIREMENTS, holder) as Requirement[] | undefined) ?? [];
    Reflect.defineMetadata(REQUIREMENTS, [...existing, { kind, mode, values }], holder);
  };
}

/** The token must have every one of these scopes; otherwise 403 `insufficient_scope`. */
export const RequireScopes = (...scopes: string[]) => requirement('scope', 'all', scopes);
/** The token must have at least one of these scopes. */
export const RequireAnyScope = (...scopes: string[]) => requirement('scope', 'any', scopes);
/** The user must have every one of these roles. */
export const RequireRoles = (...roles: string[]) => requirement('role', 'all', roles);
/** The user must have at least one of these roles. */
export const RequireAnyRole = (...roles: string[]) => requirement('role', 'any', roles);
/** The user must have every one of these permissions. */
export const RequirePermissions = (...permissions: string[]) =>
  requirement('permission', 'all', permissions);
/** The user must have at least one of these permissions. */
export const RequireAnyPermission = (...permissions: string[]) =>
  requirement('permission', 'any', permissions);
