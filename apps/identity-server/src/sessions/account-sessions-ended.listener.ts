import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ACCOUNT_GRANTS_ENDED, AccountGrantsEndedEvent } from '../accounts/account-events';
import { SessionService } from './session.service';

/**
 * A disabled account or a changed password ends the user's browser sessions
 * at once, as it ends their grants: the next authorization request asks for
 * the password again. (Resolving a session also checks the user, in case.)
 */
@Injectable()
export class AccountSessionsEndedListener {
  constructor(private readonly sessions: SessionService) {}

  @OnEvent(ACCOUNT_GRANTS_ENDED, { promisify: true, suppressErrors: false })
  async endSessions(event: AccountGrantsEndedEvent): Promise<void> {
    await this.sessions.endAllForUser(event.userId, event.reason);
  }
}
