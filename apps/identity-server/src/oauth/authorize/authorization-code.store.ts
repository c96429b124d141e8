import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, LessThan, Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { KeyMaterial } from '../../crypto/key-material';
import { randomSecret, SecretHasher } from '../../crypto/secret-hasher';
import { AuthorizationCodeEntity } from './authorization-code.entity';
import { s256Challenge } from './pkce';

export interface NewAuthorizationCode {
  clientRef: string;
  userId: string;
  /** The `redirect_uri` of the request, or '' when it was omitted (the token request must match it, RFC 6749 §4.1.3). */
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  nonce?: string;
  authTime: Date;
  sessionId: string | null;
}

/** What a redeemed code authorizes. */
export interface RedeemedCode {
  clientRef: string;
  userId: string;
  scope: string;
  nonce: string | null;
  authTime: Date;
  /** When the code was issued: anything that ended grants after it ends this one too. */
  issuedAt: Date;
  /** The new grant's id, fixed on the code so that a replay can revoke it. */
  grantId: string;
}

export type CodeRedemption =
  | { ok: true; code: RedeemedCode }
  | {
      ok: false;
      /** `reused`: the code was redeemed before by this client; its grant must be revoked. */
      reason: 'invalid' | 'reused';
      reused?: { grantId: string; userId: string; clientRef: string; authTime: Date };
    };

/**
 * Authorization codes (RFC 6749 §4.1.2): 256 random bits, stored as a keyed
 * hash, short-lived, single use, bound to the client, the redirect URI, the
 * PKCE challenge and the user.
 */
@Injectable()
export class AuthorizationCodeStore {
  private readonly hasher: SecretHasher;

  constructor(
    @InjectRepository(AuthorizationCodeEntity)
    private readonly codes: Repository<AuthorizationCodeEntity>,
    private readonly config: AppConfig,
    keys: KeyMaterial,
  ) {
    this.hasher = new SecretHasher(keys.keyFor('authorization-code-hash'));
  }

  async issue(input: NewAuthorizationCode): Promise<string> {
    const code = randomSecret(32);
    const now = new Date();
    await this.codes.insert({
      id: randomUUID(),
      codeHash: this.hasher.hash(code),
      clientRef: input.clientRef,
      userId: input.userId,
      redirectUri: input.redirectUri,
      codeChallenge: input.codeChallenge,
      scope: input.scope,
      nonce: input.nonce ?? null,
      authTime: input.authTime,
      sessionId: input.sessionId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.browser.authorizationCodeTtlSeconds * 1000),
      consumedAt: null,
      grantId: null,
    });
    return code;
  }

  /**
   * Discards the codes not redeemed yet of a user, a client, or a user and a
   * client (their grants ended: they must not start a new one). Redeemed codes
   * stay, so that a replay still revokes its grant. Returns how many.
   */
  async discardUnredeemed(owner: { userId?: string; clientRef?: string }): Promise<number> {
    if (owner.userId === undefined && owner.clientRef === undefined)
      throw new Error('discardUnredeemed needs a user or a client');
    const result = await this.codes.delete({
      ...(owner.userId !== undefined ? { userId: owner.userId } : {}),
      ...(owner.clientRef !== undefined ? { clientRef: owner.clientRef } : {}),
      consumedAt: IsNull(),
    });
    return result.affected ?? 0;
  }

  /** Deletes codes that expired before `cutoff` (a replay then fails without revoking). Returns how many. */
  async purgeExpired(cutoff: Date): Promise<number> {
    return (await this.codes.delete({ expiresAt: LessThan(cutoff) })).affected ?? 0;
  }

  /**
   * Redeems a code in ONE conditional UPDATE: it succeeds only for an
   * unconsumed, unexpired code of this client, with this redirect URI and a
   * challenge equal to S256(verifier), and fixes the grant id at the same time.
   * Exactly one caller can win. A code that loses and was consumed before by
   * the same client is a replay (RFC 6749 §4.1.2): the caller revokes its grant.
   * A wrong verifier or redirect URI does not burn the code (whoever sends
   * them cannot use it anyway).
   */
  async redeem(
    code: string,
    clientRef: string,
    redirectUri: string,
    verifier: string | null,
  ): Promise<CodeRedemption> {
    const codeHash = this.hasher.hash(code);
    const now = new Date();
    const grantId = randomUUID();
    const result =
      verifier === null
        ? { affected: 0 }
        : await this.codes
            .createQueryBuilder()
            .update(AuthorizationCodeEntity)
            .set({ consumedAt: now, grantId })
            .where('code_hash = :codeHash', { codeHash })
            .andWhere('client_ref = :clientRef', { clientRef })
            // The length too: MariaDB compares with PAD SPACE (`uri ` would equal `uri`).
            .andWhere(
              'redirect_uri = :redirectUri AND LENGTH(redirect_uri) = LENGTH(:redirectUri)',
              {
                redirectUri,
              },
            )
            .andWhere('code_challenge = :challenge', { challenge: s256Challenge(verifier) })
            .andWhere('consumed_at IS NULL')
            .andWhere('expires_at > :now', { now })
            .execute();

    const row = await this.codes.findOne({ where: { codeHash } });
    if (result.affected === 1 && row && row.grantId === grantId) {
      return {
        ok: true,
        code: {
          clientRef: row.clientRef,
          userId: row.userId,
          scope: row.scope,
          nonce: row.nonce,
          authTime: row.authTime,
          issuedAt: row.createdAt,
          grantId,
        },
      };
    }
    if (row && row.consumedAt !== null && row.clientRef === clientRef && row.grantId) {
      return {
        ok: false,
        reason: 'reused',
        reused: {
          grantId: row.grantId,
          userId: row.userId,
          clientRef: row.clientRef,
          authTime: row.authTime,
        },
      };
    }
    return { ok: false, reason: 'invalid' };
  }
}
