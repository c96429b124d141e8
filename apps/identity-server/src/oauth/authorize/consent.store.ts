import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { formatScope, parseScope } from '../../clients/scope';
import { isUniqueViolation } from '../../database/errors';
import { ConsentEntity } from './consent.entity';

export interface ConsentRecord {
  clientRef: string;
  scope: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** The consents users gave to clients, one row per user and client, scopes accumulated. */
@Injectable()
export class ConsentStore {
  constructor(@InjectRepository(ConsentEntity) private readonly rows: Repository<ConsentEntity>) {}

  /** True when the user already consented to every scope of `scopes` for this client. */
  async covers(userId: string, clientRef: string, scopes: string[]): Promise<boolean> {
    const row = await this.rows.findOne({ where: { userId, clientRef } });
    if (!row) return false;
    const granted = parseScope(row.scope) ?? [];
    return scopes.every((scope) => granted.includes(scope));
  }

  /** Remembers the scopes (added to those consented before). */
  async grant(userId: string, clientRef: string, scopes: string[]): Promise<void> {
    const now = new Date();
    const row = await this.rows.findOne({ where: { userId, clientRef } });
    if (row) {
      const merged = new Set([...(parseScope(row.scope) ?? []), ...scopes]);
      await this.rows.update({ id: row.id }, { scope: formatScope(merged), updatedAt: now });
      return;
    }
    try {
      await this.rows.insert({
        id: randomUUID(),
        userId,
        clientRef,
        scope: formatScope(scopes),
        createdAt: now,
        updatedAt: now,
      });
    } catch (error) {
      // Another tab consented at the same moment: merge into its row.
      if (!isUniqueViolation(error)) throw error;
      await this.grant(userId, clientRef, scopes);
    }
  }

  async listForUser(userId: string): Promise<ConsentRecord[]> {
    const rows = await this.rows.find({ where: { userId }, order: { createdAt: 'ASC' } });
    return rows.map((row) => ({
      clientRef: row.clientRef,
      scope: parseScope(row.scope) ?? [],
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    }));
  }

  /** Forgets the consent; false when there was none. */
  async withdraw(userId: string, clientRef: string): Promise<boolean> {
    const result = await this.rows.delete({ userId, clientRef });
    return (result.affected ?? 0) > 0;
  }
}
