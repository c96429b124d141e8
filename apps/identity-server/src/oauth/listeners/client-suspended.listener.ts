import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CLIENT_SUSPENDED, ClientSuspendedEvent } from '../../clients/client-events';
import { RefreshTokenStore } from '../tokens/refresh-token.store';

/** SPEC flow 4: suspension revokes what the client holds. Its grants stay revoked after reinstatement. */
@Injectable()
export class ClientSuspendedListener {
  constructor(private readonly refreshTokens: RefreshTokenStore) {}

  @OnEvent(CLIENT_SUSPENDED, { promisify: true, suppressErrors: false })
  async revokeGrants(event: ClientSuspendedEvent): Promise<void> {
    await this.refreshTokens.revokeAllForClient(event.clientRef, 'client_suspended');
  }
}
