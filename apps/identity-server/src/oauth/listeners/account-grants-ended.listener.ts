import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ACCOUNT_GRANTS_ENDED, AccountGrantsEndedEvent } from '../../accounts/account-events';
import { RefreshTokenStore } from '../tokens/refresh-token.store';

/**
 * A disabled account or a changed password ends the user's grants: every
 * refresh-token family is revoked (and with it, through `grant_id`, the
 * access tokens introspection sees), so re-activation revives nothing.
 */
@Injectable()
export class AccountGrantsEndedListener {
  constructor(private readonly refreshTokens: RefreshTokenStore) {}

  @OnEvent(ACCOUNT_GRANTS_ENDED, { promisify: true, suppressErrors: false })
  async revokeGrants(event: AccountGrantsEndedEvent): Promise<void> {
    await this.refreshTokens.revokeAllForUser(event.userId, event.reason);
  }
}
