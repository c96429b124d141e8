import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditEventType, AuditService } from '../audit/audit.service';
import { Actor } from './actor';
import { ClientEntity, ClientStatus } from './client.entity';
import { CLIENT_SUSPENDED, ClientSuspendedEvent } from './client-events';
import { ClientAction, illegalTransitionMessage, TRANSITIONS } from './client-review-state';
import { ClientPage, ClientResponse, toClientResponse } from './client.response';
import { ClientsService } from './clients.service';
import { ApproveClientDto } from './dto/review.dto';
import { refreshTokenProblem } from './registration-rules';
import { formatScope, parseScope } from './scope';

/** Admins' side of flow 4: the review queue and every decision of the state machine. */
@Injectable()
export class ClientReviewService {
  constructor(
    @InjectRepository(ClientEntity) private readonly clients: Repository<ClientEntity>,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
    private readonly clientsService: ClientsService,
  ) {}

  async list(status: ClientStatus | undefined, limit: number, offset: number): Promise<ClientPage> {
    const [rows, total] = await this.clients.findAndCount({
      where: status ? { status } : {},
      // The queue is served oldest first: first come, first reviewed.
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items: rows.map(toClientResponse), total, limit, offset };
  }

  /**
   * Approves a pending registration, possibly narrowing what it asked for.
   * The password grant survives only with `first_party: true` (RFC 9700 §2.4).
   * The client_id is generated here and nowhere else.
   */
  async approve(actor: Actor, id: string, dto: ApproveClientDto): Promise<ClientResponse> {
    const client = await this.find(id);
    if (client.status !== TRANSITIONS.approve.from)
      throw new ConflictException(illegalTransitionMessage('approve', client.status));
    const requestedGrants = client.requestedGrantTypes.split(' ').filter(Boolean);
    const grantTypes = dto.grant_types ?? requestedGrants;
    const widened = grantTypes.filter((grant) => !requestedGrants.includes(grant));
    if (widened.length)
      throw new BadRequestException(
        `grant_types may only narrow the request; not requested: ${widened.join(', ')}`,
      );
    const refreshProblem = refreshTokenProblem(grantTypes);
    if (refreshProblem) throw new BadRequestException(refreshProblem);
    const requestedScopes = parseScope(client.requestedScope) ?? [];
    const scopes = dto.scope !== undefined ? parseScope(dto.scope) : requestedScopes;
    if (scopes === null) throw new BadRequestException('scope is malformed (RFC 6749 §3.3)');
    const wider = scopes.filter((scope) => !requestedScopes.includes(scope));
    if (wider.length)
      throw new BadRequestException(
        `scope may only narrow the request; not requested: ${wider.join(' ')}`,
      );
    const firstParty = dto.first_party === true;
    if (grantTypes.includes('password') && !firstParty) {
      throw new BadRequestException(
        'the password grant is only for first-party clients (RFC 9700 §2.4): approve with "first_party": true, or narrow grant_types without password',
      );
    }
    return this.transition(actor, client, 'approve', 'client.approved', {
      clientId: `tsr_${randomBytes(12).toString('base64url')}`,
      grantTypes: grantTypes.join(' '),
      scope: formatScope(scopes),
      firstParty,
    });
  }

  async reject(actor: Actor, id: string, reason: string): Promise<ClientResponse> {
    return this.transition(actor, await this.find(id), 'reject', 'client.rejected', {
      statusReason: reason,
    });
  }

  /** Suspends an approved client: it gets no tokens, holds no live grant, and its access tokens introspect inactive. */
  async suspend(actor: Actor, id: string, reason: string): Promise<ClientResponse> {
    const now = new Date();
    const response = await this.transition(
      actor,
      await this.find(id),
      'suspend',
      'client.suspended',
      {
        statusReason: reason,
        tokensRevokedBefore: now,
      },
    );
    // Awaited: when the admin gets the answer, the client's refresh tokens are already revoked.
    const event: ClientSuspendedEvent = { clientRef: id, clientId: response.client_id ?? '' };
    await this.events.emitAsync(CLIENT_SUSPENDED, event);
    return response;
  }

  /** Reinstates a suspended client. What suspension revoked stays revoked. */
  async reinstate(actor: Actor, id: string): Promise<ClientResponse> {
    const client = await this.find(id);
    // Suspension ends every access token whose `iat` is at or before its second
    // (JWT `iat` counts whole seconds, RFC 7519 §2). Reinstating within that same
    // second would end the client's next tokens too: let that second pass first.
    if (client.status === TRANSITIONS.reinstate.from && client.tokensRevokedBefore) {
      const nextSecond = (Math.floor(client.tokensRevokedBefore.getTime() / 1000) + 1) * 1000;
      const wait = nextSecond - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return this.transition(actor, client, 'reinstate', 'client.reinstated', {
      statusReason: null,
    });
  }

  /**
   * Applies one transition as a single conditional UPDATE on the expected
   * status: of two admins acting at once, exactly one succeeds and the other
   * gets 409.
   */
  private async transition(
    actor: Actor,
    client: ClientEntity,
    action: ClientAction,
    auditType: AuditEventType,
    changes: Partial<ClientEntity>,
  ): Promise<ClientResponse> {
    const { from, to } = TRANSITIONS[action];
    const now = new Date();
    const update = {
      ...changes,
      status: to,
      reviewedBy: actor.id,
      reviewedAt: now,
      updatedAt: now,
    };
    // A decision on a registration's content (approve, reject) also requires that
    // content to be the one read: an owner's concurrent edit is never approved unseen.
    const decidesContent = action === 'approve' || action === 'reject';
    const where = decidesContent
      ? { id: client.id, status: from, updatedAt: client.updatedAt }
      : { id: client.id, status: from };
    // The status cache is emptied once the UPDATE has committed, before suspension's
    // sweep runs: a grant started after the sweep then reads the new status.
    const result = await this.clientsService.afterClientWrite(() =>
      this.clients.update(where, update),
    );
    if (result.affected !== 1) {
      const current = await this.find(client.id);
      if (current.status === from)
        throw new ConflictException(
          'the registration changed while it was being reviewed; review it again',
        );
      throw new ConflictException(illegalTransitionMessage(action, current.status));
    }
    const updated = { ...client, ...update } as ClientEntity;
    await this.audit.record({
      type: auditType,
      actorId: actor.id,
      clientId: updated.clientId,
      clientRef: client.id,
      ip: actor.ip,
      details: {
        registrationId: client.id,
        from,
        to,
        ...(changes.statusReason ? { reason: changes.statusReason } : {}),
        ...(action === 'approve'
          ? { grantTypes: updated.grantTypes, scope: updated.scope, firstParty: updated.firstParty }
          : {}),
      },
    });
    return toClientResponse(updated);
  }

  private async find(id: string): Promise<ClientEntity> {
    const client = await this.clients.findOneBy({ id });
    if (!client) throw new NotFoundException('no such client registration');
    return client;
  }
}
