import { Reflector } from '@nestjs/core';

/**
 * For routes that must see revocation at once: besides the local checks, the
 * token is introspected (RFC 7662, answers cached for a few seconds). Needs the
 * module's `introspection` option. If the check cannot be made, the request is
 * refused with 503 (fail closed).
 */
export const RequireActiveToken = Reflector.createDecorator<boolean>({ transform: () => true });
