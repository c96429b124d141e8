import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { FindOptionsWhere, Repository } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';

/** The kinds of security event recorded. */
export type AuditEventType =
  | 'user.created'
  | 'user.locked'
  | 'user.login_failed'
  | 'user.password_changed'
  | 'user.roles_changed'
  | 'user.status_changed'
  | 'user.signed_in'
  | 'session.ended'
  | 'consent.granted'
  | 'consent.withdrawn'
  | 'authorization_code.reused'
  | 'client.created'
  | 'client.registered'
  | 'client.updated'
  | 'client.withdrawn'
  | 'client.approved'
  | 'client.rejected'
  | 'client.suspended'
  | 'client.reinstated'
  | 'client.authentication_failed'
  | 'client.secret_issued'
  | 'client.secret_revoked'
  | 'token.refresh_reuse_detected'
  | 'token.revoked'
  | 'key.created'
  | 'scope.created'
  | 'scope.updated'
  | 'scope.deleted';

export interface AuditEventInput {
  type: AuditEventType;
  actorId?: string | null;
  clientId?: string | null;
  /** The registration (`clients.id`) concerned, when a client is. */
  clientRef?: string | null;
  subjectId?: string | null;
  ip?: string | null;
  /** Facts about the event. Never put a secret here. */
  details?: Record<string, unknown>;
}

/**
 * Append-only record of security events. Recording never fails the request it
 * describes: a write error is logged and swallowed.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
  ) {}

  async record(event: AuditEventInput): Promise<void> {
    try {
      await this.events.insert({
        id: randomUUID(),
        type: event.type,
        actorId: event.actorId ?? null,
        clientId: event.clientId ?? null,
        clientRef: event.clientRef ?? null,
        subjectId: event.subjectId ?? null,
        ip: event.ip ?? null,
        details: JSON.stringify(event.details ?? {}),
        createdAt: new Date(),
      });
    } catch (error) {
      this.logger.error({ err: error, type: event.type }, 'could not record audit event');
    }
  }

  /** Most recent events of a type, newest first. */
  async recent(type: AuditEventType, limit = 50): Promise<AuditEventView[]> {
    return (await this.query({ type }, limit, 0)).items;
  }

  /** Events matching every given filter, newest first, a page at a time. */
  async query(
    filter: AuditFilter,
    limit: number,
    offset: number,
  ): Promise<{ items: AuditEventView[]; total: number }> {
    const where: FindOptionsWhere<AuditEventEntity> = {};
    if (filter.type) where.type = filter.type;
    if (filter.clientId) where.clientId = filter.clientId;
    if (filter.clientRef) where.clientRef = filter.clientRef;
    if (filter.actorId) where.actorId = filter.actorId;
    if (filter.subjectId) where.subjectId = filter.subjectId;
    const [rows, total] = await this.events.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items: rows.map(toView), total };
  }
}

export interface AuditFilter {
  type?: string;
  clientId?: string;
  clientRef?: string;
  actorId?: string;
  subjectId?: string;
}

/** An audit event as the API and tests see it. */
export interface AuditEventView {
  id: string;
  type: string;
  actorId: string | null;
  clientId: string | null;
  clientRef: string | null;
  subjectId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

function toView(row: AuditEventEntity): AuditEventView {
  return {
    id: row.id,
    type: row.type,
    actorId: row.actorId,
    clientId: row.clientId,
    clientRef: row.clientRef,
    subjectId: row.subjectId,
    ip: row.ip,
    details: JSON.parse(row.details) as Record<string, unknown>,
    createdAt: row.createdAt,
  };
}
