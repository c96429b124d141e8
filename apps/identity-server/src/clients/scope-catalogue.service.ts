import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Like, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../database/errors';
import { Actor } from './actor';
import { ClientEntity } from './client.entity';
import { ScopeEntity } from './scope.entity';

export interface CatalogueScope {
  name: string;
  description: string;
}

/**
 * The scopes the platform knows: what registrations may ask for, what the
 * consent page will describe, advertised as `scopes_supported`. Admins manage it.
 */
@Injectable()
export class ScopeCatalogueService {
  constructor(
    @InjectRepository(ScopeEntity) private readonly scopes: Repository<ScopeEntity>,
    @InjectRepository(ClientEntity) private readonly clients: Repository<ClientEntity>,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<CatalogueScope[]> {
    const rows = await this.scopes.find({ order: { name: 'ASC' } });
    return rows.map((row) => ({ name: row.name, description: row.description }));
  }

  async create(actor: Actor, name: string, description: string): Promise<CatalogueScope> {
    try {
      await this.scopes.insert({ name, description, createdAt: new Date() });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(`scope ${name} exists`);
      throw error;
    }
    await this.audit.record({
      type: 'scope.created',
      actorId: actor.id,
      ip: actor.ip,
      details: { name, description },
    });
    return { name, description };
  }

  async describe(actor: Actor, name: string, description: string): Promise<CatalogueScope> {
    await this.exactly(name);
    const result = await this.scopes.update({ name }, { description });
    if (result.affected !== 1) throw new NotFoundException(`no scope ${name}`);
    await this.audit.record({
      type: 'scope.updated',
      actorId: actor.id,
      ip: actor.ip,
      details: { name, description },
    });
    return { name, description };
  }

  /** Removes a scope no registration asks for or holds; otherwise 409 naming how many do. */
  async remove(actor: Actor, name: string): Promise<void> {
    await this.exactly(name);
    // LIKE narrows the candidates; the exact token match is done here (scopes are space-separated).
    const candidates = await this.clients.find({
      where: [{ scope: Like(`%${name}%`) }, { requestedScope: Like(`%${name}%`) }],
      select: { id: true, scope: true, requestedScope: true },
    });
    const users = candidates.filter((c) =>
      [c.scope, c.requestedScope].some((s) => s.split(' ').includes(name)),
    );
    if (users.length)
      throw new ConflictException(
        `scope ${name} is used by ${users.length} client registration(s)`,
      );
    await this.scopes.delete({ name });
    await this.audit.record({
      type: 'scope.deleted',
      actorId: actor.id,
      ip: actor.ip,
      details: { name },
    });
  }

  /**
   * 404 unless a scope has exactly this name. MariaDB compares with PAD SPACE,
   * so `orders:read ` would find (and change or delete) `orders:read`, while
   * the checks and the audit log spoke of `orders:read `.
   */
  private async exactly(name: string): Promise<void> {
    const scope = await this.scopes.findOneBy({ name });
    if (scope?.name !== name) throw new NotFoundException(`no scope ${name}`);
  }
}
