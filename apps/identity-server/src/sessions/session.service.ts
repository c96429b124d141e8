import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, Repository } from 'typeorm';
import { AccountPrincipal } from '../accounts/account.types';
import { AccountsService } from '../accounts/accounts.service';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { KeyMaterial } from '../crypto/key-material';
import { randomSecret, SecretHasher } from '../crypto/secret-hasher';
import { BrowserSessionEntity } from './browser-session.entity';

/** A live browser session and its (active) user. */
export interface BrowserSession {
  /** The stored id (keyed hash of the cookie value). */
  id: string;
  userId: string;
  authTime: Date;
  user: AccountPrincipal;
}

export type SessionEndReason =
  'logout' | 'replaced' | 'user_disabled' | 'password_changed' | 'user_inactive';

/** The last-seen time is written at most this often, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

/** The cookie value: 256 random bits, base64url. Anything else is not looked up. */
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Browser sessions (single sign-on), stored in the database so that every
 * server process shares them. The cookie holds a random value; the table
 * holds its keyed hash. A session ends at its idle timeout, its absolute
 * lifetime, logout, or when its user is disabled or changes password.
 */
@Injectable()
export class SessionService {
  private readonly hasher: SecretHasher;

  constructor(
    @InjectRepository(BrowserSessionEntity)
    private readonly sessions: Repository<BrowserSessionEntity>,
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    keys: KeyMaterial,
  ) {
    this.hasher = new SecretHasher(keys.keyFor('browser-session-hash'));
  }

  /** Sends the cookie only over https when the issuer is https. */
  get secureCookies(): boolean {
    return this.config.issuer.startsWith('https:');
  }

  /**
   * Starts a session for a user who has just typed the password at the
   * client's request, audited. Always a new id (no session fixation); the
   * browser's previous session, if any, ends. Null when a disable or password
   * change ran while the password was checked: it has ended the account's
   * sessions already, but not this one, which ends at once.
   */
  async start(
    signIn: { account: AccountPrincipal; passwordChangedAt: Date },
    previousCookie: string | undefined,
    ip: string | null,
    client: { clientId: string; ref: string },
  ): Promise<{ cookie: string; session: BrowserSession; maxAgeSeconds: number } | null> {
    const user = signIn.account;
    if (previousCookie && COOKIE_VALUE.test(previousCookie))
      await this.end(this.hasher.hash(previousCookie), 'replaced', ip);
    const cookie = randomSecret(32);
    const now = new Date();
    const { sessionMaxAgeSeconds } = this.config.browser;
    const row: BrowserSessionEntity = {
      id: this.hasher.hash(cookie),
      userId: user.id,
      authTime: now,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + sessionMaxAgeSeconds * 1000),
      endedAt: null,
      endedReason: null,
    };
    await this.sessions.insert(row);
    await this.audit.record({
      type: 'user.signed_in',
      actorId: user.id,
      subjectId: user.id,
      clientId: client.clientId,
      clientRef: client.ref,
      ip,
      details: { via: 'browser' },
    });
    const ended = await this.accounts.endedSince(user.id, signIn.passwordChangedAt);
    if (ended) {
      await this.end(row.id, ended, ip);
      return null;
    }
    return {
      cookie,
      session: { id: row.id, userId: user.id, authTime: now, user },
      maxAgeSeconds: sessionMaxAgeSeconds,
    };
  }

  /**
   * The live session a cookie names, or null: unknown, ended, past its idle
   * timeout or absolute lifetime, or its user disabled (checked here too, so
   * that a missed event cannot keep a disabled user signed in).
   */
  async resolve(cookie: string | undefined): Promise<BrowserSession | null> {
    if (!cookie || !COOKIE_VALUE.test(cookie)) return null;
    const row = await this.sessions.findOne({ where: { id: this.hasher.hash(cookie) } });
    if (!row || row.endedAt !== null) return null;
    const now = Date.now();
    const idleMs = this.config.browser.sessionIdleTimeoutSeconds * 1000;
    if (row.expiresAt.getTime() <= now || row.lastSeenAt.getTime() + idleMs <= now) return null;
    // Fresh, not from the status cache: sessions are checked in the database, the
    // account's status included, so that a change made elsewhere is seen at once.
    const user = await this.accounts.findPrincipal(row.userId, { fresh: true });
    if (!user || !AccountsService.isActive(user)) {
      await this.end(row.id, 'user_inactive', null);
      return null;
    }
    if (now - row.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await this.sessions.update({ id: row.id, endedAt: IsNull() }, { lastSeenAt: new Date(now) });
    }
    return { id: row.id, userId: row.userId, authTime: row.authTime, user };
  }

  /** Ends one session (once: a conditional UPDATE), audited. */
  async end(sessionId: string, reason: SessionEndReason, ip: string | null): Promise<void> {
    const row = await this.sessions.findOne({
      where: { id: sessionId },
      select: { id: true, userId: true },
    });
    if (!row) return;
    const result = await this.sessions.update(
      { id: sessionId, endedAt: IsNull() },
      { endedAt: new Date(), endedReason: reason },
    );
    if (result.affected)
      await this.audit.record({
        type: 'session.ended',
        actorId: reason === 'logout' ? row.userId : null,
        subjectId: row.userId,
        ip,
        details: { reason },
      });
  }

  /** Deletes sessions that ended, or reached their absolute end, before `cutoff`. Returns how many. */
  async purgeEndedBefore(cutoff: Date): Promise<number> {
    const ended = await this.sessions.delete({ endedAt: LessThan(cutoff) });
    const expired = await this.sessions.delete({ expiresAt: LessThan(cutoff) });
    return (ended.affected ?? 0) + (expired.affected ?? 0);
  }

  /** Ends every session of a user at once (disabled, password changed). Returns how many. */
  async endAllForUser(userId: string, reason: SessionEndReason): Promise<number> {
    const result = await this.sessions.update(
      { userId, endedAt: IsNull() },
      { endedAt: new Date(), endedReason: reason },
    );
    const ended = result.affected ?? 0;
    if (ended)
      await this.audit.record({
        type: 'session.ended',
        subjectId: userId,
        details: { reason, sessions: ended },
      });
    return ended;
  }
}
