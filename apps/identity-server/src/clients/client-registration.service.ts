import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from './actor';
import { ClientEntity, ClientStatus } from './client.entity';
import { ClientPage, ClientResponse, toClientResponse } from './client.response';
import { illegalTransitionMessage, TRANSITIONS } from './client-review-state';
import { RegisterClientDto } from './dto/register-client.dto';
import { UpdateClientDto } from './dto/update-client.dto';
import { assertRegistration } from './registration-rules';
import { formatScope, parseScope } from './scope';
import { ScopeCatalogueService } from './scope-catalogue.service';
import { ClientsService } from './clients.service';

/** App teams' side of flow 4: register, read, change while pending, withdraw. */
@Injectable()
export class ClientRegistrationService {
  constructor(
    @InjectRepository(ClientEntity) private readonly clients: Repository<ClientEntity>,
    private readonly catalogue: ScopeCatalogueService,
    private readonly audit: AuditService,
    private readonly clientsService: ClientsService,
  ) {}

  async register(actor: Actor, dto: RegisterClientDto): Promise<ClientResponse> {
    const redirectUris = dto.redirect_uris ?? [];
    const scope = formatScope(parseScope(dto.scope ?? '') ?? []);
    assertRegistration(
      { grantTypes: dto.grant_types, redirectUris, scope: dto.scope ?? '' },
      await this.catalogueNames(),
    );
    const now = new Date();
    const client = this.clients.create({
      id: randomUUID(),
      clientId: null,
      name: dto.name,
      description: dto.description ?? null,
      contact: dto.contact ?? null,
      ownerId: actor.id,
      status: 'pending',
      firstParty: false,
      // Nothing is granted before review: granted fields stay empty until approval.
      grantTypes: '',
      scope: '',
      requestedGrantTypes: dto.grant_types.join(' '),
      requestedScope: scope,
      redirectUris: JSON.stringify(redirectUris),
      statusReason: null,
      reviewedBy: null,
      reviewedAt: null,
      tokensRevokedBefore: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.clientsService.afterClientWrite(() => this.clients.insert(client));
    await this.audit.record({
      type: 'client.registered',
      actorId: actor.id,
      clientRef: client.id,
      ip: actor.ip,
      details: {
        registrationId: client.id,
        name: client.name,
        grantTypes: dto.grant_types,
        scope,
        redirectUris,
      },
    });
    return toClientResponse(client);
  }

  async listOwned(
    actor: Actor,
    status: ClientStatus | undefined,
    limit: number,
    offset: number,
  ): Promise<ClientPage> {
    const [rows, total] = await this.clients.findAndCount({
      where: status ? { ownerId: actor.id, status } : { ownerId: actor.id },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items: rows.map(toClientResponse), total, limit, offset };
  }

  async get(actor: Actor, id: string): Promise<ClientResponse> {
    return toClientResponse(await this.findVisible(actor, id));
  }

  /** Changes a pending registration of the caller's; anything but pending is a 409. */
  async update(actor: Actor, id: string, dto: UpdateClientDto): Promise<ClientResponse> {
    const client = await this.findOwned(actor, id);
    const grantTypes = dto.grant_types ?? client.requestedGrantTypes.split(' ').filter(Boolean);
    const redirectUris = dto.redirect_uris ?? (JSON.parse(client.redirectUris) as string[]);
    const scope =
      dto.scope !== undefined ? formatScope(parseScope(dto.scope) ?? []) : client.requestedScope;
    assertRegistration(
      { grantTypes, redirectUris, scope: dto.scope ?? client.requestedScope },
      await this.catalogueNames(),
    );
    const changes: Partial<ClientEntity> = {
      name: dto.name ?? client.name,
      description: dto.description !== undefined ? dto.description : client.description,
      contact: dto.contact !== undefined ? dto.contact : client.contact,
      requestedGrantTypes: grantTypes.join(' '),
      requestedScope: scope,
      redirectUris: JSON.stringify(redirectUris),
      updatedAt: new Date(),
    };
    // Conditional on `pending`, so a change cannot slip in after a concurrent review.
    const result = await this.clientsService.afterClientWrite(() =>
      this.clients.update({ id, status: 'pending' }, changes),
    );
    if (result.affected !== 1)
      throw new ConflictException(
        `only a pending registration can be changed; this one is ${(await this.clients.findOneByOrFail({ id })).status}`,
      );
    await this.audit.record({
      type: 'client.updated',
      actorId: actor.id,
      clientRef: id,
      ip: actor.ip,
      details: { registrationId: id, changes: Object.keys(dto) },
    });
    return toClientResponse({ ...client, ...changes });
  }

  /** The owner withdraws a pending registration (kept, with status `withdrawn`, for the record). */
  async withdraw(actor: Actor, id: string): Promise<ClientResponse> {
    const client = await this.findOwned(actor, id);
    const { from, to } = TRANSITIONS.withdraw;
    const now = new Date();
    const result = await this.clientsService.afterClientWrite(() =>
      this.clients.update({ id, status: from }, { status: to, updatedAt: now }),
    );
    if (result.affected !== 1) {
      const current = await this.clients.findOneByOrFail({ id });
      throw new ConflictException(illegalTransitionMessage('withdraw', current.status));
    }
    await this.audit.record({
      type: 'client.withdrawn',
      actorId: actor.id,
      clientRef: id,
      ip: actor.ip,
      details: { registrationId: id },
    });
    return toClientResponse({ ...client, status: to, updatedAt: now });
  }

  /** The registration if the caller owns it or reviews clients; otherwise 404 (never reveal others' registrations). */
  async findVisible(actor: Actor, id: string): Promise<ClientEntity> {
    const client = await this.clients.findOneBy({ id });
    if (!client || (client.ownerId !== actor.id && !actor.isReviewer))
      throw new NotFoundException('no such client registration');
    return client;
  }

  /** Only the owner changes a registration, whatever the caller's roles. */
  async findOwned(actor: Actor, id: string): Promise<ClientEntity> {
    const client = await this.clients.findOneBy({ id });
    if (!client || client.ownerId !== actor.id)
      throw new NotFoundException('no such client registration');
    return client;
  }

  private async catalogueNames(): Promise<string[]> {
    return (await this.catalogue.list()).map((scope) => scope.name);
  }
}
