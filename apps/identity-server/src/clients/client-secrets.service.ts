import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Equal, IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { randomSecret } from '../crypto/secret-hasher';
import { Actor } from './actor';
import { ClientSecretEntity } from './client-secret.entity';
import { ClientEntity } from './client.entity';
import { ClientSecretInfo, IssuedClientSecret, toSecretInfo } from './client.response';
import { ClientsService } from './clients.service';

/** Live secrets a client may hold at once (in use, or in their grace period). */
const MAX_LIVE_SECRETS = 5;

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

  /** Issues in flight per client in this process, each waiting for the one before it. */
  private readonly issuing = new Map<string, Promise<unknown>>();

  /**
   * One new secret. Issues for one client run one at a time in this process,
   * so that each counts the live secrets and ends the earlier ones after the
   * previous issue is done: concurrent requests get secrets up to the cap, then
   * 409, and only the newest secret is left without an end. Across processes
   * the cap still holds (see `issueNow`).
   */
  issue(actor: Actor, id: string): Promise<IssuedClientSecret> {
    const before = this.issuing.get(id) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(() => this.issueNow(actor, id));
    this.issuing.set(id, mine);
    const forget = () => {
      if (this.issuing.get(id) === mine) this.issuing.delete(id);
    };
    mine.then(forget, forget);
    return mine;
  }

  private async issueNow(actor: Actor, id: string): Promise<IssuedClientSecret> {
    const client = await this.findOwnedApproved(actor, id);
    const secret = randomSecret(32);
    const createdAt = new Date();
    // Hashed and stored where client authentication reads it: one place knows the hash key.
    const secretId = await this.clientsService.addSecret(id, secret, createdAt);
    // The cap is checked after the insert, each request counting its own row: of issues
    // running at once in several processes, one that sees more than the cap takes its
    // secret back (nobody has seen it yet), so no more than the cap are ever kept.
    const now = new Date();
    const live = await this.countLive(id, now);
    if (live > MAX_LIVE_SECRETS) {
      await this.clientsService.afterClientWrite(() => this.secrets.delete({ id: secretId }));
      throw new ConflictException(
        `this client has ${live - 1} live secrets, the most it may hold is ${MAX_LIVE_SECRETS}; end one first (DELETE /api/clients/${id}/secrets/{secretId})`,
      );
    }
    const graceEnds = new Date(
      now.getTime() + this.config.clients.secretRotationGraceSeconds * 1000,
    );
    // Earlier secrets without an end get one; secrets already ending sooner keep their
    // earlier end. Only earlier ones: of two rotations at once, the newer ends the older's
    // secret, never the other way round, so the newest stays without an end.
    const endless = { clientRef: id, revokedAt: IsNull(), expiresAt: IsNull() };
    const previous = await this.clientsService.afterClientWrite(() =>
      this.secrets.update(
        [
          { ...endless, createdAt: LessThan(createdAt) },
          // Created in the same millisecond: the id breaks the tie.
          { ...endless, createdAt: Equal(createdAt), id: LessThan(secretId) },
        ],
        { expiresAt: graceEnds },
      ),
    );
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

  /** Secrets in use or in their grace period: every one is compared at each authentication. */
  private countLive(clientRef: string, now: Date): Promise<number> {
    return this.secrets.count({
      where: [
        { clientRef, revokedAt: IsNull(), expiresAt: IsNull() },
        { clientRef, revokedAt: IsNull(), expiresAt: MoreThan(now) },
      ],
    });
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
