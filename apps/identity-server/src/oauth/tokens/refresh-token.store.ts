import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { StatusCache } from '../../common/status-cache';
import { StatusCaches } from '../../common/status-caches';
import { AppConfig } from '../../config/app-config';
import { isUniqueViolation } from '../../database/errors';
import { KeyMaterial } from '../../crypto/key-material';
import { constantTimeEqualHex, SecretHasher } from '../../crypto/secret-hasher';
import { executeStatement, hydrateRow, selectColumns, sqlTimestamp } from '../../database/raw-rows';
import { RefreshTokenFamilyEntity } from './refresh-token-family.entity';
import { RefreshGrant, RefreshTokenSealer } from './refresh-token.sealer';

/** A refresh token looked up: the live token of a live grant with its times, or an inactive one. */
export type InspectedRefreshGrant = RefreshGrant &
  ({ active: true; issuedAt: Date; expiresAt: Date } | { active: false });

export type RedeemResult =
  | { ok: true; grant: RefreshGrant; successor: string }
  | {
      ok: false;
      reason: 'unknown' | 'expired' | 'revoked' | 'reused' | 'other_client';
      familyId?: string;
      userId?: string;
    };

/**
 * The rotation, in one statement: the grant's row takes the successor's hash
 * only if it still holds the presented token's, is live, belongs to the
 * presenting client, and the presented token has not expired.
 */
const ROTATE = `UPDATE refresh_token_families
    SET token_hash = ?, token_issued_at = ?, token_expires_at = ?, rotations = rotations + 1
  WHERE id = ? AND token_hash = ? AND client_ref = ? AND revoked_at IS NULL AND token_expires_at > ?`;

/**
 * A rotation taken back: the presented token is the live one again, only while
 * its successor still is (so nothing has happened to the grant since) and the
 * grant is live.
 */
const UNDO_ROTATION = `UPDATE refresh_token_families
    SET token_hash = ?, rotations = rotations - 1
  WHERE id = ? AND token_hash = ? AND revoked_at IS NULL`;

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
 * Refresh tokens: sealed envelopes that name their grant (see
 * {@link RefreshTokenSealer}), stored only as a keyed hash on the grant's row,
 * bound to a client and a user, rotated on every use.
 *
 * A grant's row holds its one live token. Redemption is a single conditional
 * UPDATE that swaps that token's hash for its successor's; the token itself
 * supplies everything else the new access token needs. Only when the UPDATE
 * changes nothing is the row read, to tell a replay from an expiry or a
 * revocation.
 *
 * Redemption and inspection always read or write the database. Only
 * {@link isFamilyRevoked} (introspection of access tokens) is answered from a
 * status cache; every statement here that revokes a family invalidates it.
 */
@Injectable()
export class RefreshTokenStore {
  private readonly hasher: SecretHasher;
  private readonly sealer: RefreshTokenSealer;
  /** Revoked or not, by family (grant) id; an unknown family counts as not revoked. */
  private readonly familyRevoked: StatusCache<string, boolean>;

  constructor(
    @InjectRepository(RefreshTokenFamilyEntity)
    private readonly families: Repository<RefreshTokenFamilyEntity>,
    private readonly config: AppConfig,
    keys: KeyMaterial,
    caches: StatusCaches,
  ) {
    this.hasher = new SecretHasher(keys.keyFor('refresh-token-hash'));
    this.sealer = new RefreshTokenSealer(keys.keyFor('refresh-token-seal'));
    this.familyRevoked = caches.create('refresh-token-families', 10_000);
  }

  /** Starts a new family (a new grant) and returns its id and first token. */
  async issueNew(
    input: Omit<RefreshGrant, 'familyId'>,
  ): Promise<{ familyId: string; token: string }> {
    const grant = { familyId: randomUUID(), ...input };
    const token = this.sealer.seal(grant);
    await this.insertFamily(grant, { token });
    return { familyId: grant.familyId, token };
  }

  /**
   * Starts the grant `familyId` chosen beforehand (an authorization code
   * records it when redeemed), with a first refresh token only when asked: a
   * grant without refresh tokens still lets its access tokens be revoked
   * through `grant_id`. Null when the grant already exists: it was revoked
   * first, because the code was replayed meanwhile.
   */
  async startGrant(
    input: RefreshGrant & { withRefreshToken: boolean },
  ): Promise<{ token?: string } | null> {
    const { withRefreshToken, ...grant } = input;
    const token = withRefreshToken ? this.sealer.seal(grant) : undefined;
    try {
      await this.insertFamily(grant, { token });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
    return token === undefined ? {} : { token };
  }

  /**
   * Revokes grant `familyId` even if it has not been started yet (a code
   * replayed while its first redemption is still issuing tokens): a revoked
   * row is inserted, and the late {@link startGrant} then finds it taken.
   */
  async revokeGrant(
    grant: Omit<RefreshGrant, 'scope'>,
    reason: FamilyRevocationReason,
  ): Promise<void> {
    try {
      await this.insertFamily(grant, { revokedReason: reason });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await this.revokeFamily(grant.familyId, reason);
    }
  }

  /**
   * Redeems a token for the client presenting it and returns its successor.
   * Exactly one caller can win: the single conditional UPDATE below swaps the
   * grant's live token only while it is still the presented one, unexpired,
   * and the grant is live and bound to this client. A token that loses is
   * examined afterwards: an earlier token of the grant presented again, or a
   * token presented by another client, revokes the whole grant (RFC 9700
   * §4.14.2). A token that does not open names no grant: nothing is written.
   */
  async redeem(token: string, clientRef: string): Promise<RedeemResult> {
    const grant = this.sealer.open(token);
    if (!grant) return { ok: false, reason: 'unknown' };
    const tokenHash = this.hasher.hash(token);
    const successor = this.sealer.seal(grant);
    const now = new Date();
    const changed = await executeStatement(this.families.manager.connection, ROTATE, [
      this.hasher.hash(successor),
      sqlTimestamp(now),
      sqlTimestamp(this.expiryFrom(now)),
      grant.familyId,
      tokenHash,
      clientRef,
      sqlTimestamp(now),
    ]);
    if (changed === 1) return { ok: true, grant, successor };

    const family = await this.findFamily(grant.familyId);
    if (!family) return { ok: false, reason: 'unknown' };
    const lost = { familyId: family.id, userId: family.userId };
    if (family.revokedAt !== null) return { ok: false, reason: 'revoked', ...lost };
    // No live token to compare with (a grant started without one, or emptied by a
    // migration reverted and applied again): nothing proves a replay.
    if (family.tokenHash === null) return { ok: false, reason: 'unknown' };
    if (family.clientRef !== clientRef) {
      await this.revokeFamily(family.id, 'other_client');
      return { ok: false, reason: 'other_client', ...lost };
    }
    if (!constantTimeEqualHex(tokenHash, family.tokenHash)) {
      await this.revokeFamily(family.id, 'reuse');
      return { ok: false, reason: 'reused', ...lost };
    }
    return { ok: false, reason: 'expired', ...lost };
  }

  /**
   * Takes back a rotation whose successor never reached the client (the
   * refresh failed after {@link redeem} committed), so that the client's retry
   * with the token it holds is no reuse. Only while the successor is still the
   * grant's live token and the grant is live. The token put back keeps the
   * successor's times: it lives as long as the successor would have. True when
   * it was put back.
   */
  async undoRotation(familyId: string, token: string, successor: string): Promise<boolean> {
    const changed = await executeStatement(this.families.manager.connection, UNDO_ROTATION, [
      this.hasher.hash(token),
      familyId,
      this.hasher.hash(successor),
    ]);
    return changed === 1;
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

  /**
   * Looks a token up without redeeming it (introspection, revocation, the
   * scope check before a refresh). An earlier token of a grant is found too,
   * inactive, so that revoking it still revokes its grant. Only the live token
   * has times: the row holds the live token's, not those of the ones before it.
   */
  async inspect(token: string): Promise<InspectedRefreshGrant | null> {
    const grant = this.sealer.open(token);
    if (!grant) return null;
    const family = await this.findFamily(grant.familyId);
    if (!family || family.tokenHash === null || !family.tokenExpiresAt || !family.tokenIssuedAt)
      return null;
    const live =
      this.hasher.matches(token, family.tokenHash) &&
      family.revokedAt === null &&
      family.tokenExpiresAt > new Date();
    return live
      ? { ...grant, active: true, issuedAt: family.tokenIssuedAt, expiresAt: family.tokenExpiresAt }
      : { ...grant, active: false };
  }

  private expiryFrom(now: Date): Date {
    return new Date(now.getTime() + this.config.tokens.refreshTtlSeconds * 1000);
  }

  /**
   * Inserts grant `familyId`: live, with its first refresh token when given
   * one, or already revoked for `revokedReason`.
   */
  private async insertFamily(
    grant: Omit<RefreshGrant, 'scope'>,
    state: { token?: string; revokedReason?: FamilyRevocationReason },
  ): Promise<void> {
    const now = new Date();
    const { token, revokedReason = null } = state;
    const insert = () =>
      this.families.insert({
        id: grant.familyId,
        clientRef: grant.clientRef,
        userId: grant.userId,
        authTime: grant.authTime,
        createdAt: now,
        revokedAt: revokedReason === null ? null : now,
        revokedReason,
        tokenHash: token === undefined ? null : this.hasher.hash(token),
        tokenIssuedAt: token === undefined ? null : now,
        tokenExpiresAt: token === undefined ? null : this.expiryFrom(now),
        rotations: 0,
      });
    // A grant inserted revoked (a replayed code) may have been cached as "unknown,
    // not revoked"; a live one changes no cached answer.
    if (revokedReason === null) await insert();
    else await this.familyRevoked.afterWrite(insert, grant.familyId);
  }

  /** A grant's row, with one hand-written SELECT (read on every failed redemption and every inspection). */
  private async findFamily(familyId: string): Promise<RefreshTokenFamilyEntity | null> {
    const rows: Array<Record<string, unknown>> = await this.families.query(
      `SELECT ${selectColumns(this.families, 'f')} FROM refresh_token_families f WHERE f.id = ?`,
      [familyId],
    );
    return rows.length === 0 ? null : hydrateRow(this.families, rows[0], 'f');
  }
}
