import { Injectable, NotFoundException } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import { ClientsService } from '../../clients/clients.service';
import { RefreshTokenStore } from '../tokens/refresh-token.store';
import { AuthorizationCodeStore } from './authorization-code.store';
import { ConsentStore } from './consent.store';

export interface ConsentView {
  client_id: string;
  client_name: string;
  scope: string;
  granted_at: string;
  updated_at: string;
}

/** A user's consents, as they see and withdraw them. */
@Injectable()
export class ConsentsService {
  constructor(
    private readonly consents: ConsentStore,
    private readonly clients: ClientsService,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly codes: AuthorizationCodeStore,
    private readonly audit: AuditService,
  ) {}

  async list(userId: string): Promise<ConsentView[]> {
    const views: ConsentView[] = [];
    for (const consent of await this.consents.listForUser(userId)) {
      const client = await this.clients.findByRef(consent.clientRef);
      if (!client) continue;
      views.push({
        client_id: client.clientId,
        client_name: client.name,
        scope: consent.scope.join(' '),
        granted_at: consent.createdAt.toISOString(),
        updated_at: consent.updatedAt.toISOString(),
      });
    }
    return views;
  }

  /**
   * Withdraws the consent and ends what it allowed: every grant the user gave
   * this client is revoked (its refresh tokens stop, its access tokens turn
   * inactive through `grant_id`), its codes not redeemed yet are discarded
   * (they were consented under what is now withdrawn), and the next request
   * asks again.
   */
  async withdraw(userId: string, clientId: string, ip: string | null): Promise<void> {
    const client = await this.clients.findByClientId(clientId);
    if (!client || !(await this.consents.withdraw(userId, client.ref)))
      throw new NotFoundException('no consent given to this client');
    await this.codes.discardUnredeemed({ userId, clientRef: client.ref });
    const revoked = await this.refreshTokens.revokeAllForUserAndClient(
      userId,
      client.ref,
      'consent_withdrawn',
    );
    await this.audit.record({
      type: 'consent.withdrawn',
      actorId: userId,
      subjectId: userId,
      clientId: client.clientId,
      clientRef: client.ref,
      ip,
      details: { grantsRevoked: revoked },
    });
  }
}
