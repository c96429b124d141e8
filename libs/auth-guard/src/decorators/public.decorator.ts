import { Reflector } from '@nestjs/core';

/**
 * Opens a route (or every route of a controller) to requests without a token.
 * Everything else is denied by default.
 */
export const Public = Reflector.createDecorator<boolean>({ transform: () => true });
