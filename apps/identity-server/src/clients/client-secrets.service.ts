import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThan, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { randomSecret } from '../crypto/secret-hasher';
import { Actor } from './actor';
import { ClientSecretEntity } from './client-secret.entity';
import { ClientEntity } from './client.entity';
import { ClientSecretInfo, IssuedClientSecret, toSecretInfo } from './client.response';
import { ClientsService } from './clients.service';

/** Live secrets a client may hold at once (in use, or in their grace period). */
export const MAX_LIVE_SECRETS = 5;

/**
 * Client secrets: 256 random bits, shown once, stored as a keyed hash.
 * Issuing a new one starts the grace period of the previous ones
 * (`CLIENT_SECRET_ROTATION_GRACE_SECONDS`), so deployments can roll over
 * without downtime; the owner can end an old one at once.
 */
@Injectable()
export class ClientSecretsService {
  constructor(
    @InjectRepository(ClientEntity) private readonly clients: Repository<ClientEntity>,
    @InjectRepository(ClientSecretEntity) private readonly secrets: Repository<ClientSecretEntity>,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clientsService: ClientsService,
  ) {}

  async issue(actor: Actor, id: string): Promise<IssuedClientSecret> {
    const client = await this.findOwnedApproved(actor, id);
    const now = new Date();
    // Every live secret is compared at each authentication of the client, and each is
    // one more that can leak: a rollover needs two, a few more cover overlapping ones.
    const live = await this.secrets.count({
      where: [
        { clientRef: id, revokedAt: IsNull(), expiresAt: IsNull() },
        { clientRef: id, revokedAt: IsNull(), expiresAt: MoreThan(now) },
      ],
    });
    if (live >= MAX_LIVE_SECRETS)
      throw new ConflictException(
        `this client has ${live} live secrets, the most it may hold; end one first (DELETE /api/clients/${id}/secrets/{secretId})`,
      );
    const graceEnds = new Date(
      now.getTime() + this.config.clients.secretRotationGraceSeconds * 1000,
    );
    // Secrets without an end get one; secrets already ending sooner keep their earlier end.
    const previous = await this.clientsService.afterClientWrite(() =>
      this.secrets.update(
        { clientRef: id, revokedAt: IsNull(), expiresAt: IsNull() },
        { expiresAt: graceEnds },
      ),
    );
    const secret = randomSecret(32);
    // Hashed and stored where client authentication reads it: one place knows the hash key.
    const secretId = await this.clientsService.addSecret(id, secret);
    await this.audit.record({
      type: 'client.secret_issued',
      actorId: actor.id,
      clientId: client.clientId,
      clientRef: client.id,
      ip: actor.ip,
      details: {
        secretId,
        previousSecretsExpireAt: previous.affected ? graceEnds.toISOString() : null,
      },
    });
    return {
      client_id: client.clientId ?? '',
      client_secret: secret,
      secret_id: secretId,
      previous_secrets_expire_at: previous.affected ? graceEnds.toISOString() : null,
    };
  }

  async list(actor: Actor, id: string): Promise<ClientSecretInfo[]> {
    await this.findOwned(actor, id);
    const rows = await this.secrets.find({
      where: { clientRef: id },
      order: { createdAt: 'DESC', id: 'ASC' },
    });
    return rows.map(toSecretInfo);
  }

  /** Ends one secret at once (a leaked secret, or the end of a rollover). */
  async revoke(actor: Actor, id: string, secretId: string): Promise<void> {
    const client = await this.findOwned(actor, id);
    const result = await this.clientsService.afterClientWrite(() =>
      this.secrets.update(
        { id: secretId, clientRef: id, revokedAt: IsNull() },
        { revokedAt: new Date() },
      ),
    );
    if (result.affected !== 1) throw new NotFoundException('no such live secret');
    await this.audit.record({
      type: 'client.secret_revoked',
      actorId: actor.id,
      clientId: client.clientId,
      clientRef: client.id,
      ip: actor.ip,
      details: { secretId },
    });
  }

  private async findOwned(actor: Actor, id: string): Promise<ClientEntity> {
    const client = await this.clients.findOneBy({ id });
    if (!client || client.ownerId !== actor.id)
      throw new NotFoundException('no such client registration');
    return client;
  }

  private async findOwnedApproved(actor: Actor, id: string): Promise<ClientEntity> {
    const client = await this.findOwned(actor, id);
    if (client.status !== 'approved')
      throw new ConflictException(
        `secrets are issued to approved clients only; this one is ${client.status}`,
      );
    return client;
  }
}
