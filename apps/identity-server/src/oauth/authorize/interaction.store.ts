import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import { constantTimeEqualHex, randomSecret } from '../../crypto/secret-hasher';
import { AuthorizationInteractionEntity } from './authorization-interaction.entity';
import { PendingAuthorization } from './pending-authorization';

/** How long the user has to sign in and consent. */
export const INTERACTION_TTL_SECONDS = 600;

/** A pending interaction as the controllers see it. */
export interface Interaction {
  uid: string;
  request: PendingAuthorization;
  /** Known once the user is (from a live session, or after the login step). */
  userId: string | null;
  sessionId: string | null;
  authTime: Date | null;
}

/**
 * Authorization requests waiting for the user. Each is bound to the browser
 * that started it by a cookie whose SHA-256 is stored (a uid seen elsewhere,
 * in a log or a Referer, is useless without it), lives ten minutes, and is
 * finished exactly once (a conditional DELETE).
 */
@Injectable()
export class InteractionStore {
  constructor(
    @InjectRepository(AuthorizationInteractionEntity)
    private readonly rows: Repository<AuthorizationInteractionEntity>,
  ) {}

  /** Stores the request; returns its uid and the browser-binding secret for the cookie. */
  async create(
    request: PendingAuthorization,
    known?: { userId: string; sessionId: string; authTime: Date },
  ): Promise<{ uid: string; binding: string }> {
    const uid = randomSecret(16);
    const binding = randomSecret(32);
    const now = new Date();
    await this.rows.insert({
      id: uid,
      browserBindingHash: sha256(binding),
      params: JSON.stringify(request),
      userId: known?.userId ?? null,
      sessionId: known?.sessionId ?? null,
      authTime: known?.authTime ?? null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + INTERACTION_TTL_SECONDS * 1000),
    });
    return { uid, binding };
  }

  /**
   * The live interaction `uid` if `binding` (the browser's cookie) is the one
   * it was created for: `missing` when there is none (unknown, expired, done),
   * `foreign` when another browser presents it.
   */
  async find(
    uid: string,
    binding: string | undefined,
  ): Promise<
    { ok: true; interaction: Interaction } | { ok: false; reason: 'missing' | 'foreign' }
  > {
    if (!/^[A-Za-z0-9_-]{22}$/.test(uid)) return { ok: false, reason: 'missing' };
    const row = await this.rows.findOne({ where: { id: uid, expiresAt: MoreThan(new Date()) } });
    if (!row || row.id !== uid) return { ok: false, reason: 'missing' };
    if (!binding || !constantTimeEqualHex(sha256(binding), row.browserBindingHash))
      return { ok: false, reason: 'foreign' };
    return {
      ok: true,
      interaction: {
        uid,
        request: JSON.parse(row.params) as PendingAuthorization,
        userId: row.userId,
        sessionId: row.sessionId,
        authTime: row.authTime,
      },
    };
  }

  /** Records the login step, once (a second concurrent login loses). */
  async completeLogin(
    uid: string,
    known: { userId: string; sessionId: string; authTime: Date },
  ): Promise<boolean> {
    const result = await this.rows.update(
      { id: uid, userId: IsNull(), expiresAt: MoreThan(new Date()) },
      { userId: known.userId, sessionId: known.sessionId, authTime: known.authTime },
    );
    return result.affected === 1;
  }

  /** Deletes interactions that expired before `cutoff` (abandoned sign-ins). Returns how many. */
  async purgeExpired(cutoff: Date): Promise<number> {
    return (await this.rows.delete({ expiresAt: LessThan(cutoff) })).affected ?? 0;
  }

  /** Finishes the interaction: true for exactly one caller. */
  async consume(uid: string): Promise<boolean> {
    const result = await this.rows.delete({ id: uid, expiresAt: MoreThan(new Date()) });
    return result.affected === 1;
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
