import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';

/** The kinds of security event recorded. */
export type AuditEventType =
  | 'user.created'
  | 'user.locked'
  | 'user.login_failed'
  | 'client.created'
  | 'client.authentication_failed'
  | 'client.secret_issued'
  | 'token.refresh_reuse_detected'
  | 'token.revoked'
  | 'key.created';

export interface AuditEventInput {
  type: AuditEventType;
  actorId?: string | null;
  clientId?: string | null;
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
        subjectId: event.subjectId ?? null,
        ip: event.ip ?? null,
        details: JSON.stringify(event.details ?? {}),
        createdAt: new Date(),
      });
    } catch (error) {
      this.logger.error({ err: error, type: event.type }, 'could not record audit event');
    }
  }

  /** Most recent events of a type, newest first (used by tests and, later, the admin API). */
  async recent(
    type: AuditEventType,
    limit = 50,
  ): Promise<
    Array<{
      type: string;
      clientId: string | null;
      subjectId: string | null;
      details: Record<string, unknown>;
      createdAt: Date;
    }>
  > {
    const rows = await this.events.find({
      where: { type },
      order: { createdAt: 'DESC' },
      take: limit,
    });
    return rows.map((row) => ({
      type: row.type,
      clientId: row.clientId,
      subjectId: row.subjectId,
      details: JSON.parse(row.details) as Record<string, unknown>,
      createdAt: row.createdAt,
    }));
  }
}
