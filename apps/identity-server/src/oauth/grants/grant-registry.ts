import { Inject, Injectable } from '@nestjs/common';
import { unsupportedGrantType } from '../errors/oauth.error';
import { GrantHandler } from './grant-handler';

export const GRANT_HANDLERS = Symbol('GRANT_HANDLERS');

/** Every grant the token endpoint supports, by `grant_type`. */
@Injectable()
export class GrantRegistry {
  private readonly handlers: ReadonlyMap<string, GrantHandler>;

  constructor(@Inject(GRANT_HANDLERS) handlers: GrantHandler[]) {
    this.handlers = new Map(handlers.map((handler) => [handler.grantType, handler]));
  }

  get supported(): string[] {
    return [...this.handlers.keys()];
  }

  /** The handler for `grantType`, or RFC 6749 §5.2 `unsupported_grant_type`. */
  get(grantType: string): GrantHandler {
    const handler = this.handlers.get(grantType);
    if (!handler) throw unsupportedGrantType(`grant_type ${grantType} is not supported`);
    return handler;
  }
}
