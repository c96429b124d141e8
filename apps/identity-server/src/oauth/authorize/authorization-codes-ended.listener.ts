import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ACCOUNT_GRANTS_ENDED, AccountGrantsEndedEvent } from '../../accounts/account-events';
import { CLIENT_SUSPENDED, ClientSuspendedEvent } from '../../clients/client-events';
import { AuthorizationCodeStore } from './authorization-code.store';

/**
 * A code not redeemed yet is a grant in waiting: when the user's grants end
 * (disabled, password changed: RFC 9700 §4.14) or the client is suspended,
 * it is discarded with them, so that it cannot start a new grant afterwards
 * (after a re-activation or a reinstatement within its lifetime).
 */
@Injectable()
export class AuthorizationCodesEndedListener {
  constructor(private readonly codes: AuthorizationCodeStore) {}

  @OnEvent(ACCOUNT_GRANTS_ENDED, { promisify: true, suppressErrors: false })
  async endUserCodes(event: AccountGrantsEndedEvent): Promise<void> {
    await this.codes.discardUnredeemed({ userId: event.userId });
  }

  @OnEvent(CLIENT_SUSPENDED, { promisify: true, suppressErrors: false })
  async endClientCodes(event: ClientSuspendedEvent): Promise<void> {
    await this.codes.discardUnredeemed({ clientRef: event.clientRef });
  }
}
