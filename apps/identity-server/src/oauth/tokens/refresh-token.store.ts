import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { StatusCache } from '../../common/status-cache';
import { StatusCaches } from '../../common/status-caches';
import { AppConfig } from '../../config/app-config';
import { isUniqueViolation } from '../../database/errors';
import { KeyMaterial } from '../../crypto/key-material';
import { randomSecret, SecretHasher } from '../../crypto/secret-hasher';
import { hydrateRow, selectColumns } from '../../database/raw-rows';
import { RefreshTokenFamilyEntity } from './refresh-token-family.entity';
import { RefreshTokenEntity } from './refresh-token.entity';

export interface RefreshGrant {
  familyId: string;
  clientRef: string;
  userId: string;
  scope: string;
  authTime: Date;
}

export type RedeemResult =
  | { ok: true; grant: RefreshGrant }
  | {
      ok: false;
      reason: 'unknown' | 'expired' | 'revoked' | 'reused' | 'other_client';
      familyId?: string;
      userId?: string;
    };

export type FamilyRevocationReason =
  | 'reuse'
  | 'other_client'
  | 'revoked_by_client'
  | 'user_inactive'
  | 'user_disabled'
  | 'password_changed'
  | 'client_suspended'
  | 'code_reuse'
  | 'consent_withdrawn';

/**
 * Refresh tokens: opaque, 256 random bits, stored only as a keyed hash, bound
 * to a client and a user through their family, rotated on every use.
 *
 * Redemption and inspection always read the database. Only
 * {@link isFamilyRevoked} (introspection of access tokens) is answered from a
 * status cache; every statement here that revokes a family invalidates it.
 */
@Injectable()
export class RefreshTokenStore {
  private readonly hasher: SecretHasher;
  /** Revoked or not, by family (grant) id; an unknown family counts as not revoked. */
  private readonly familyRevoked: StatusCache<string, boolean>;

  constructor(
    @InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>,
    @InjectRepository(RefreshTokenFamilyEntity)
    private readonly families: Repository<RefreshTokenFamilyEntity>,
    private readonly config: AppConfig,
    keys: KeyMaterial,
    caches: StatusCaches,
  ) {
    this.hasher = new SecretHasher(keys.keyFor('refresh-token-hash'));
    this.familyRevoked = caches.create('refresh-token-families', 10_000);
  }

  /** Starts a new family (a new grant) and returns its id and first token. */
  async issueNew(input: {
    clientRef: string;
    userId: string;
    scope: string;
    authTime: Date;
  }): Promise<{ familyId: string; token: string }> {
    const familyId = randomUUID();
    await this.insertFamily({ familyId, ...input }, null);
    return { familyId, token: await this.issueInFamily(familyId, input.scope) };
  }

  /**
   * Starts the grant `familyId` chosen beforehand (an authorization code
   * records it when redeemed), with a first refresh token only when asked: a
   * grant without refresh tokens still lets its access tokens be revoked
   * through `grant_id`. Null when the grant already exists: it was revoked
   * first, because the code was replayed meanwhile.
   */
  async startGrant(input: {
    familyId: string;
    clientRef: string;
    userId: string;
    scope: string;
    authTime: Date;
    withRefreshToken: boolean;
  }): Promise<{ token?: string } | null> {
    try {
      await this.insertFamily(input, null);
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
    if (!input.withRefreshToken) return {};
    return { token: await this.issueInFamily(input.familyId, input.scope) };
  }

  /**
   * Revokes grant `familyId` even if it has not been started yet (a code
   * replayed while its first redemption is still issuing tokens): a revoked
   * row is inserted, and the late {@link startGrant} then finds it taken.
   */
  async revokeGrant(
    grant: { familyId: string; clientRef: string; userId: string; authTime: Date },
    reason: FamilyRevocationReason,
  ): Promise<void> {
    try {
      await this.insertFamily(grant, reason);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await this.revokeFamily(grant.familyId, reason);
    }
  }

  /** The successor of a redeemed token, in the same family. */
  async issueInFamily(familyId: string, scope: string): Promise<string> {
    const token = randomSecret(32);
    const now = new Date();
    await this.tokens.insert({
      id: randomUUID(),
      tokenHash: this.hasher.hash(token),
      familyId,
      scope,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.tokens.refreshTtlSeconds * 1000),
      consumedAt: null,
    });
    return token;
  }

  /**
   * Redeems a token for the client presenting it. Exactly one caller can win:
   * the single conditional UPDATE below marks it consumed only if it is
   * unconsumed, unexpired, and its family is live and bound to this client.
   * A token that loses is examined afterwards: presented again after use, or
   * by another client, its whole family is revoked (RFC 9700 §4.14.2).
   */
  async redeem(token: string, clientRef: string): Promise<RedeemResult> {
    const tokenHash = this.hasher.hash(token);
    const now = new Date();
    const result = await this.tokens
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ consumedAt: now })
      .where('token_hash = :tokenHash', { tokenHash })
      .andWhere('consumed_at IS NULL')
      .andWhere('expires_at > :now', { now })
      .andWhere(
        'family_id IN (SELECT f.id FROM refresh_token_families f WHERE f.revoked_at IS NULL AND f.client_ref = :clientRef)',
        { clientRef },
      )
      .execute();

    const { row, family } = await this.findWithFamily(tokenHash);
    if (!row || !family) return { ok: false, reason: 'unknown' };
    if (result.affected === 1) {
      return {
        ok: true,
        grant: {
          familyId: family.id,
          clientRef: family.clientRef,
          userId: family.userId,
          scope: row.scope,
          authTime: family.authTime,
        },
      };
    }
    const lost = { familyId: family.id, userId: family.userId };
    if (family.revokedAt !== null) return { ok: false, reason: 'revoked', ...lost };
    if (family.clientRef !== clientRef) {
      await this.revokeFamily(family.id, 'other_client');
      return { ok: false, reason: 'other_client', ...lost };
    }
    if (row.consumedAt !== null) {
      await this.revokeFamily(family.id, 'reuse');
      return { ok: false, reason: 'reused', ...lost };
    }
    return { ok: false, reason: 'expired', ...lost };
  }

  async revokeFamily(familyId: string, reason: FamilyRevocationReason): Promise<void> {
    await this.familyRevoked.afterWrite(
      () =>
        this.families.update(
          { id: familyId, revokedAt: IsNull() },
          { revokedAt: new Date(), revokedReason: reason },
        ),
      familyId,
    );
  }

  /** True when the grant exists and has been revoked (its access tokens are then inactive too). */
  async isFamilyRevoked(familyId: string): Promise<boolean> {
    return this.familyRevoked.get(familyId, async () => {
      // A plain SELECT: this runs on every introspection of a user's access token.
      const rows: Array<{ revoked_at: unknown }> = await this.families.query(
        'SELECT revoked_at FROM refresh_token_families WHERE id = ?',
        [familyId],
      );
      return rows.length > 0 && rows[0].revoked_at != null;
    });
  }

  /** Revokes every grant a user holds (account disabled, password changed). Returns how many. */
  async revokeAllForUser(userId: string, reason: FamilyRevocationReason): Promise<number> {
    const result = await this.familyRevoked.afterWrite(() =>
      this.families.update(
        { userId, revokedAt: IsNull() },
        { revokedAt: new Date(), revokedReason: reason },
      ),
    );
    return result.affected ?? 0;
  }

  /** Revokes every grant a user gave one client (consent withdrawn). Returns how many. */
  async revokeAllForUserAndClient(
    userId: string,
    clientRef: string,
    reason: FamilyRevocationReason,
  ): Promise<number> {
    const result = await this.familyRevoked.afterWrite(() =>
      this.families.update(
        { userId, clientRef, revokedAt: IsNull() },
        { revokedAt: new Date(), revokedReason: reason },
      ),
    );
    return result.affected ?? 0;
  }

  /** Revokes every grant a client holds (suspension). Returns how many. */
  async revokeAllForClient(clientRef: string, reason: FamilyRevocationReason): Promise<number> {
    const result = await this.familyRevoked.afterWrite(() =>
      this.families.update(
        { clientRef, revokedAt: IsNull() },
        { revokedAt: new Date(), revokedReason: reason },
      ),
    );
    return result.affected ?? 0;
  }

  /** Looks a token up without consuming it (introspection, revocation). */
  async inspect(
    token: string,
  ): Promise<(RefreshGrant & { active: boolean; expiresAt: Date; issuedAt: Date }) | null> {
    const { row, family } = await this.findWithFamily(this.hasher.hash(token));
    if (!row || !family) return null;
    const active =
      row.consumedAt === null && family.revokedAt === null && row.expiresAt > new Date();
    return {
      familyId: family.id,
      clientRef: family.clientRef,
      userId: family.userId,
      scope: row.scope,
      authTime: family.authTime,
      active,
      expiresAt: row.expiresAt,
      issuedAt: row.createdAt,
    };
  }

  /** Inserts grant `familyId`, live (`revokedReason` null) or already revoked for that reason. */
  private async insertFamily(
    grant: { familyId: string; clientRef: string; userId: string; authTime: Date },
    revokedReason: FamilyRevocationReason | null,
  ): Promise<void> {
    const now = new Date();
    const insert = () =>
      this.families.insert({
        id: grant.familyId,
        clientRef: grant.clientRef,
        userId: grant.userId,
        authTime: grant.authTime,
        createdAt: now,
        revokedAt: revokedReason === null ? null : now,
        revokedReason,
      });
    // A grant inserted revoked (a replayed code) may have been cached as "unknown,
    // not revoked"; a live one changes no cached answer.
    if (revokedReason === null) await insert();
    else await this.familyRevoked.afterWrite(insert, grant.familyId);
  }

  /** A token by its hash with its family, in one round trip (both are read on every refresh). */
  private async findWithFamily(tokenHash: string): Promise<{
    row: RefreshTokenEntity | null;
    family: RefreshTokenFamilyEntity | null;
  }> {
    const rows: Array<Record<string, unknown>> = await this.tokens.query(
      `SELECT ${selectColumns(this.tokens, 't')}, ${selectColumns(this.families, 'f')}
         FROM refresh_tokens t
         LEFT JOIN refresh_token_families f ON f.id = t.family_id
        WHERE t.token_hash = ?`,
      [tokenHash],
    );
    if (rows.length === 0) return { row: null, family: null };
    return {
      row: hydrateRow(this.tokens, rows[0], 't'),
      family: hydrateRow(this.families, rows[0], 'f'),
    };
  }
}
