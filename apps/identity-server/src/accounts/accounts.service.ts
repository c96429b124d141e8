import { EventEmitter2 } from '@nestjs/event-emitter';
import { ACCOUNT_GRANTS_ENDED, AccountGrantsEndedEvent } from './account-events';
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, Not, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/errors';
import { hydrateRow, selectColumns } from '../database/raw-rows';
import { AuditService } from '../audit/audit.service';
import { StatusCache } from '../common/status-cache';
import { StatusCaches } from '../common/status-caches';
import { AppConfig } from '../config/app-config';
import { toAccountDetails, toPrincipal } from './account.mapper';
import { AccountDetails, AccountPrincipal, CredentialCheck } from './account.types';
import { PasswordHasher } from './password-hasher';
import { passwordPolicyViolation } from './password-policy';
import { PermissionEntity } from './permission.entity';
import { RoleEntity } from './role.entity';
import { UserEntity } from './user.entity';
import { normalizeUsername, USERNAME_PATTERN } from './username';

export interface NewUser {
  username: string;
  password: string;
  email?: string | null;
  roles?: string[];
  /** The admin who creates the account, for the audit log; none for the bootstrap admin. */
  actorId?: string | null;
}

/**
 * Accounts: creation, password checks with lockout, a user's own password
 * change, and look-ups for token issuance. What admins do to other accounts is
 * in {@link UsersAdminService}.
 *
 * {@link findPrincipal} is answered from a status cache keyed by user id;
 * every write to `users` or `user_roles` in this process goes through
 * {@link afterAccountWrite}, which forgets that user. Password checks always
 * read the database.
 */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);
  /** Principals by user id; "no such user" is kept too (ids are random UUIDs, never reused). */
  private readonly principals: StatusCache<string, AccountPrincipal | null>;

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
    caches: StatusCaches,
  ) {
    this.principals = caches.create('accounts', 5_000);
  }

  /**
   * Runs a write to the user's row or role links, then forgets the user's
   * cached principal once it has settled. Every such write in this process
   * goes through here, so that its effect is seen at once.
   */
  afterAccountWrite<T>(userId: string, write: () => Promise<T>): Promise<T> {
    return this.principals.afterWrite(write, userId);
  }

  /**
   * Checks a username and password. Every path spends exactly one bcrypt
   * comparison, so an unknown user, a locked or disabled account and a wrong
   * password take about the same time. Consecutive failures lock the account.
   *
   * Each check first takes an attempt from the account's budget (see
   * {@link takeAttempt}), while the comparison runs; a success gives it back.
   * So concurrent guesses cannot outrun the lockout: no more than the
   * threshold are ever compared per lock window, and a lock set while a check
   * was running holds. A success counts only if the password was not changed
   * while it was compared: a sign-in that races a password change fails.
   */
  async verifyPassword(username: string, password: string, ip?: string): Promise<CredentialCheck> {
    // Only a well-formed username names an account: MariaDB compares with PAD SPACE
    // (`admin ` would find `admin`) and toLowerCase folds the Kelvin sign into `k`.
    const user = USERNAME_PATTERN.test(username)
      ? await this.users.findOne({ where: { usernameNormalized: normalizeUsername(username) } })
      : null;
    if (!user) {
      await this.hasher.burn(password);
      return { ok: false, reason: 'unknown_user' };
    }
    const now = new Date();
    const attempt = await this.checkWithAttempt(user, password, now);
    if (user.status === 'disabled') return { ok: false, reason: 'disabled', userId: user.id };
    if (attempt === 'refused') return { ok: false, reason: 'locked', userId: user.id };
    if (!attempt.matches) {
      await this.auditFailure(user.id, attempt.locked, ip);
      return { ok: false, reason: 'wrong_password', userId: user.id, lockedNow: attempt.locked };
    }
    if (!(await this.recordSuccess(user, password, now)))
      return { ok: false, reason: 'wrong_password', userId: user.id, lockedNow: false };
    return {
      ok: true,
      account: toPrincipal(user),
      passwordChangedAt: user.passwordChangedAt,
    };
  }

  /**
   * What ended a sign-in while it ran, or null: the account disabled, or its
   * password changed since the check (the value the check read, compared as
   * stored: no clock is involved). Read from the database. A sign-in calls
   * this after it has created its session or grant: a change that ended the
   * account's grants while the sign-in was running could not end one created
   * after it.
   */
  async endedSince(
    userId: string,
    passwordChangedAt: Date,
  ): Promise<'user_disabled' | 'password_changed' | null> {
    const user = await this.users.findOne({
      where: { id: userId },
      select: { id: true, status: true, passwordChangedAt: true },
    });
    if (!user || user.status === 'disabled') return 'user_disabled';
    return user.passwordChangedAt.getTime() === passwordChangedAt.getTime()
      ? null
      : 'password_changed';
  }

  /**
   * Compares the password while an attempt is taken from the account's budget;
   * `refused` when the account is locked or disabled (the comparison still
   * runs, so the answer takes as long). Nothing is counted when the password
   * queue refuses the check.
   */
  private async checkWithAttempt(
    user: UserEntity,
    password: string,
    now: Date,
  ): Promise<'refused' | { matches: boolean; locked: boolean }> {
    this.hasher.refuseIfBusy();
    const matching = this.hasher.verify(password, user.passwordHash);
    // Settled below; a failed write first must not leave it unhandled.
    matching.catch(() => undefined);
    const taken = user.status === 'disabled' ? null : await this.takeAttempt(user.id, now);
    const matches = await matching;
    if (taken === null) return 'refused';
    // Only a failure needs to know whether its attempt locked the account.
    return { matches, locked: !matches && (await this.lockedBy(user.id, taken.until)) };
  }

  /** A wrong password, wherever it was given, in the audit log (it was counted when its attempt was taken). */
  private async auditFailure(
    userId: string,
    lockedNow: boolean,
    ip?: string,
    via?: 'password_change',
  ): Promise<void> {
    await this.audit.record({
      type: lockedNow ? 'user.locked' : 'user.login_failed',
      actorId: via ? userId : null,
      subjectId: userId,
      ip,
      details: {
        ...(lockedNow ? { lockedForSeconds: this.config.passwords.lockoutSeconds } : {}),
        ...(via ? { via } : {}),
      },
    });
  }

  /**
   * Takes one attempt before the password is compared: counted as a failure
   * at once, locking the account when it reaches the threshold, in one
   * conditional UPDATE that applies only while the account is neither
   * disabled nor locked. Null when it did not apply; else the lock end it
   * would have set (see {@link lockedBy}).
   */
  private async takeAttempt(userId: string, now: Date): Promise<{ until: Date } | null> {
    const { maxFailedAttempts, lockoutSeconds } = this.config.passwords;
    const until = new Date(now.getTime() + lockoutSeconds * 1000);
    // The CASE columns come before the counter: MySQL evaluates SET left to
    // right with updated values, SQLite with old ones; this order reads the old
    // count on both.
    // A lock does not end the account's tokens (see isActive), but the principal's
    // status says `locked`: forgotten here so that it never lags.
    const result = await this.afterAccountWrite(userId, () =>
      this.users
        .createQueryBuilder()
        .update(UserEntity)
        .set({
          status: () => `CASE WHEN failed_login_count + 1 >= :max THEN 'locked' ELSE 'active' END`,
          lockedUntil: () => `CASE WHEN failed_login_count + 1 >= :max THEN :until ELSE NULL END`,
          failedLoginCount: () =>
            `CASE WHEN failed_login_count + 1 >= :max THEN 0 ELSE failed_login_count + 1 END`,
          updatedAt: now,
        })
        // isLockActive in SQL: a lock with no end holds until an admin lifts it.
        .where(
          `id = :id AND status <> 'disabled' AND ` +
            `NOT (status = 'locked' AND (locked_until IS NULL OR locked_until > :now))`,
          { id: userId, now },
        )
        .setParameters({ max: maxFailedAttempts, until })
        .execute(),
    );
    return result.affected === 1 ? { until } : null;
  }

  /** Whether the attempt taken with this lock end is the one that locked the account. */
  private async lockedBy(userId: string, until: Date): Promise<boolean> {
    const after = await this.users.findOne({
      where: { id: userId },
      select: { id: true, status: true, lockedUntil: true },
    });
    return after?.status === 'locked' && after.lockedUntil?.getTime() === until.getTime();
  }

  /**
   * Gives the attempt back and records the sign-in, unless the account was
   * disabled or its password changed while the check ran. A lock set
   * meanwhile by other attempts ends: this password was right, and was
   * compared within the budget. False when it did not apply.
   */
  private async recordSuccess(user: UserEntity, password: string, now: Date): Promise<boolean> {
    // Conditional on what only a password change moves (a re-hash does not: a
    // concurrent sign-in's upgrade must not fail this one).
    const result = await this.afterAccountWrite(user.id, () =>
      this.users.update(
        { id: user.id, passwordChangedAt: user.passwordChangedAt, status: Not('disabled') },
        {
          status: 'active',
          lockedUntil: null,
          failedLoginCount: 0,
          lastLoginAt: now,
          updatedAt: now,
        },
      ),
    );
    if (result.affected !== 1) return false;
    if (this.hasher.needsUpgrade(user.passwordHash)) {
      // The password is known to be right only now: the moment to re-hash at the configured
      // cost. Only over the hash it matched: a concurrent sign-in may have upgraded it first.
      const passwordHash = await this.hasher.hash(password);
      const upgraded = await this.afterAccountWrite(user.id, () =>
        this.users.update({ id: user.id, passwordHash: user.passwordHash }, { passwordHash }),
      );
      if (upgraded.affected === 1)
        this.logger.log({ userId: user.id, cost: this.hasher.cost }, 'password hash upgraded');
    }
    return true;
  }

  /**
   * The account by id, for token issuance, renewal and introspection; null when
   * it does not exist. From the status cache, unless `fresh`: then from the
   * database (for checks that must see another process's change at once).
   */
  async findPrincipal(
    id: string,
    options: { fresh?: boolean } = {},
  ): Promise<AccountPrincipal | null> {
    if (options.fresh) return this.loadPrincipal(id);
    return this.principals.get(id, () => this.loadPrincipal(id));
  }

  private async loadPrincipal(id: string): Promise<AccountPrincipal | null> {
    // One plain SELECT of the user with roles and permissions: this runs on every refresh and
    // every introspection of a user's token, where find() with eager relations cost more CPU
    // than the round trip (docs/performance.md).
    const rows: Array<Record<string, unknown>> = await this.users.query(
      `SELECT ${selectColumns(this.users, 'u')}, r.id AS r_id, r.name AS r_name, p.name AS p_name
         FROM users u
         LEFT JOIN user_roles ur ON ur.user_id = u.id
         LEFT JOIN roles r ON r.id = ur.role_id
         LEFT JOIN role_permissions rp ON rp.role_id = r.id
         LEFT JOIN permissions p ON p.id = rp.permission_id
        WHERE u.id = ?`,
      [id],
    );
    const user = rows.length > 0 ? hydrateRow(this.users, rows[0], 'u') : null;
    if (!user) return null;
    const roles = new Map<string, RoleEntity>();
    for (const row of rows) {
      if (typeof row.r_id !== 'string') continue;
      let role = roles.get(row.r_id);
      if (!role) {
        role = this.roles.create({ id: row.r_id, name: String(row.r_name), permissions: [] });
        roles.set(row.r_id, role);
      }
      if (typeof row.p_name === 'string')
        role.permissions.push({ name: row.p_name } as PermissionEntity);
    }
    user.roles = [...roles.values()];
    // Frozen: a cached principal is shared by every request.
    const principal = toPrincipal(user);
    Object.freeze(principal.roles);
    Object.freeze(principal.permissions);
    return Object.freeze(principal);
  }

  /** The account with its history, for its owner and admins; null when it does not exist. */
  async findAccount(id: string): Promise<AccountDetails | null> {
    const user = await this.users.findOne({ where: { id } });
    return user ? toAccountDetails(user) : null;
  }

  /**
   * The owner changes their password. The current password is checked like a
   * login: a wrong one counts toward the lockout (a stolen access token must
   * not become an unlimited password-guessing oracle), and a locked or
   * disabled account is refused even with the right one.
   */
  async changePassword(
    userId: string,
    currentPassword: string,
    newPassword: string,
    ip?: string,
  ): Promise<void> {
    const user = await this.users.findOne({ where: { id: userId } });
    if (!user) throw new NotFoundException('this token belongs to no user account');
    // The policy first: a refused new password costs no bcrypt and no attempt.
    const violation = passwordPolicyViolation(newPassword, user.username);
    if (violation) throw new BadRequestException([violation]);
    // Says nothing about the current password: only that the two fields are equal.
    if (newPassword === currentPassword)
      throw new BadRequestException(['newPassword must differ from currentPassword']);

    const now = new Date();
    const attempt = await this.checkWithAttempt(user, currentPassword, now);
    if (user.status === 'disabled') throw new ForbiddenException('this account is disabled');
    if (attempt === 'refused')
      throw new BadRequestException(
        'the account is locked after repeated wrong passwords; try again later',
      );
    if (!attempt.matches) {
      await this.auditFailure(user.id, attempt.locked, ip, 'password_change');
      throw new BadRequestException('currentPassword is not correct');
    }

    // Conditional on the password change time read with the hash just verified: of
    // two concurrent changes made with the same current password, only the first
    // applies (a sign-in's re-hash meanwhile does not move it).
    const passwordHash = await this.hasher.hash(newPassword);
    const result = await this.afterAccountWrite(user.id, () =>
      this.users.update(
        { id: user.id, passwordChangedAt: user.passwordChangedAt, status: Not('disabled') },
        {
          passwordHash,
          passwordChangedAt: now,
          failedLoginCount: 0,
          lockedUntil: null,
          status: 'active',
          updatedAt: now,
        },
      ),
    );
    if (!result.affected)
      throw new ConflictException('the account changed meanwhile; sign in again and retry');
    await this.audit.record({
      type: 'user.password_changed',
      actorId: user.id,
      subjectId: user.id,
      ip,
    });
    const event: AccountGrantsEndedEvent = { userId: user.id, reason: 'password_changed' };
    await this.events.emitAsync(ACCOUNT_GRANTS_ENDED, event);
  }

  /**
   * True when the account's tokens are good: anything but disabled. A lockout
   * stops password guessing only; if it also ended sessions, anyone could sign
   * a user out by failing five logins on their username.
   */
  static isActive(account: AccountPrincipal): boolean {
    return account.status !== 'disabled';
  }

  /** Creates an account; 400 for an unknown role, 409 for a username taken in any case. */
  async createUser(input: NewUser): Promise<AccountDetails> {
    const roleNames = [...new Set(input.roles ?? [])];
    const roles = roleNames.length ? await this.roles.find({ where: { name: In(roleNames) } }) : [];
    const missing = roleNames.filter((name) => !roles.some((role) => role.name === name));
    if (missing.length) throw new BadRequestException(`unknown role(s): ${missing.join(', ')}`);
    const now = new Date();
    const user = this.users.create({
      id: randomUUID(),
      username: input.username,
      usernameNormalized: normalizeUsername(input.username),
      email: input.email ?? null,
      passwordHash: await this.hasher.hash(input.password),
      status: 'active',
      failedLoginCount: 0,
      lockedUntil: null,
      lastLoginAt: null,
      passwordChangedAt: now,
      createdAt: now,
      updatedAt: now,
      roles,
    });
    try {
      // No wrapping transaction: TypeORM shares one connection on SQLite, where
      // concurrent transactions would nest into each other.
      await this.afterAccountWrite(user.id, () => this.users.save(user, { transaction: false }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException('username is taken');
      throw error;
    }
    await this.audit.record({
      type: 'user.created',
      actorId: input.actorId ?? null,
      subjectId: user.id,
      details: { username: user.username, roles: roleNames },
    });
    return toAccountDetails(user);
  }

  async hasUserWithRole(role: string): Promise<boolean> {
    const count = await this.users
      .createQueryBuilder('user')
      .innerJoin('user.roles', 'role', 'role.name = :role', { role })
      .getCount();
    return count > 0;
  }

  async usernameExists(username: string): Promise<boolean> {
    return (
      (await this.users.count({ where: { usernameNormalized: normalizeUsername(username) } })) > 0
    );
  }
}
