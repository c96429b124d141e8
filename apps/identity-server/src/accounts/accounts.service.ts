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
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { isUniqueViolation } from '../database/errors';
import { hydrateRow, selectColumns } from '../database/raw-rows';
import { AuditService } from '../audit/audit.service';
import { StatusCache } from '../common/status-cache';
import { StatusCaches } from '../common/status-caches';
import { AppConfig } from '../config/app-config';
import { isLockActive, toAccountDetails, toPrincipal } from './account.mapper';
import { AccountDetails, AccountPrincipal, CredentialCheck } from './account.types';
import { PasswordHasher } from './password-hasher';
import { passwordPolicyViolation } from './password-policy';
import { PermissionEntity } from './permission.entity';
import { RoleEntity } from './role.entity';
import { UserEntity } from './user.entity';
import { normalizeUsername, USERNAME_PATTERN } from './username';

/**
 * The account `:id`, neither disabled nor locked at `:now` (isLockActive in
 * SQL: a lock with no end holds until an admin lifts it).
 */
const OPEN_ACCOUNT =
  `id = :id AND status <> 'disabled' AND ` +
  `NOT (status = 'locked' AND (locked_until IS NULL OR locked_until > :now))`;

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
   * A comparison's result is judged against the account as it is when the
   * result lands, not as it was read before: a wrong one is counted only while
   * the account is not locked (see {@link countFailure}), and a right one
   * counts only while the account is neither locked nor disabled and its
   * password unchanged (see {@link recordSuccess}). So guesses sent together
   * cannot outrun the lockout (once the threshold's failures have locked the
   * account, the results still running are refused, a right one included), a
   * late failure cannot lift a lock, and a sign-in that races a password
   * change fails. Right passwords sent together all succeed.
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
    const matches = await this.hasher.verify(password, user.passwordHash);
    const now = new Date();
    if (user.status === 'disabled') return { ok: false, reason: 'disabled', userId: user.id };
    if (isLockActive(user, now)) return { ok: false, reason: 'locked', userId: user.id };
    if (!matches) {
      const counted = await this.countFailure(user.id, now);
      if (!counted) return { ok: false, reason: 'locked', userId: user.id };
      await this.auditFailure(user.id, counted.locked, ip);
      return { ok: false, reason: 'wrong_password', userId: user.id, lockedNow: counted.locked };
    }
    if (!(await this.recordSuccess(user, password, now)))
      return { ok: false, reason: 'locked', userId: user.id };
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

  /** A wrong password, wherever it was given, in the audit log. */
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
   * Counts a wrong password while the account is neither disabled nor locked:
   * below the threshold one conditional UPDATE counts it; at the threshold
   * another locks the account, and that failure alone is told it locked (the
   * UPDATE that applied says so: no value is compared afterwards). Null when
   * the account is locked or disabled by now: the failure changes nothing.
   */
  private async countFailure(userId: string, now: Date): Promise<{ locked: boolean } | null> {
    const { maxFailedAttempts, lockoutSeconds } = this.config.passwords;
    const apply = (changes: QueryDeepPartialEntity<UserEntity>, below: boolean) =>
      // A lock does not end the account's tokens (see isActive), but the principal's
      // status says `locked`: forgotten here so that it never lags.
      this.afterAccountWrite(userId, () =>
        this.users
          .createQueryBuilder()
          .update(UserEntity)
          .set({ ...changes, updatedAt: now })
          .where(`${OPEN_ACCOUNT} AND failed_login_count + 1 ${below ? '<' : '>='} :max`, {
            id: userId,
            now,
            max: maxFailedAttempts,
          })
          .execute(),
      );
    // Each round, one of the two applies unless another failure moved the counter in
    // between; every such move is progress toward the lock, so the rounds are bounded.
    for (let round = 0; round <= maxFailedAttempts; round++) {
      const counted = await apply(
        { status: 'active', lockedUntil: null, failedLoginCount: () => 'failed_login_count + 1' },
        true,
      );
      if (counted.affected === 1) return { locked: false };
      const locked = await apply(
        {
          status: 'locked',
          lockedUntil: new Date(now.getTime() + lockoutSeconds * 1000),
          failedLoginCount: 0,
        },
        false,
      );
      if (locked.affected === 1) return { locked: true };
      const user = await this.users.findOne({
        where: { id: userId },
        select: { id: true, status: true, lockedUntil: true },
      });
      if (!user || user.status === 'disabled' || isLockActive(user, now)) return null;
    }
    return null;
  }

  /**
   * Records a sign-in (counter reset, last login), only while the account is
   * neither disabled nor locked and its password unchanged since it was read:
   * false otherwise, and the sign-in fails. A lock set by failures while this
   * comparison ran holds against it.
   */
  private async recordSuccess(user: UserEntity, password: string, now: Date): Promise<boolean> {
    const result = await this.afterAccountWrite(user.id, () =>
      this.users
        .createQueryBuilder()
        .update(UserEntity)
        .set({
          status: 'active',
          lockedUntil: null,
          failedLoginCount: 0,
          lastLoginAt: now,
          updatedAt: now,
        })
        // On what only a password change moves: a concurrent sign-in's re-hash must not fail this one.
        .where(`${OPEN_ACCOUNT} AND password_changed_at = :changed`, {
          id: user.id,
          now,
          changed: user.passwordChangedAt,
        })
        .execute(),
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

    const matches = await this.hasher.verify(currentPassword, user.passwordHash);
    const now = new Date();
    const locked = new BadRequestException(
      'the account is locked after repeated wrong passwords; try again later',
    );
    if (user.status === 'disabled') throw new ForbiddenException('this account is disabled');
    if (isLockActive(user, now)) throw locked;
    if (!matches) {
      const counted = await this.countFailure(user.id, now);
      if (!counted) throw locked;
      await this.auditFailure(user.id, counted.locked, ip, 'password_change');
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
