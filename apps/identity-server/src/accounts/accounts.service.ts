import { BadRequestException, ConflictException, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/errors';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { AccountPrincipal, CredentialCheck } from './account.types';
import { PasswordHasher } from './password-hasher';
import { RoleEntity } from './role.entity';
import { UserEntity } from './user.entity';
import { normalizeUsername } from './username';

export interface NewUser {
  username: string;
  password: string;
  email?: string | null;
  roles?: string[];
}

/** Accounts: creation, password checks with lockout, and look-ups for token issuance. */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Checks a username and password. Every path spends exactly one bcrypt
   * comparison, so an unknown user, a locked or disabled account and a wrong
   * password take about the same time. Consecutive failures lock the account.
   */
  async verifyPassword(username: string, password: string, ip?: string): Promise<CredentialCheck> {
    const user = await this.users.findOne({
      where: { usernameNormalized: normalizeUsername(username) },
    });
    if (!user) {
      await this.hasher.burn(password);
      return { ok: false, reason: 'unknown_user' };
    }
    const now = new Date();
    const matches = await this.hasher.verify(password, user.passwordHash);
    if (user.status === 'disabled') return { ok: false, reason: 'disabled', userId: user.id };
    if (isLockActive(user, now)) return { ok: false, reason: 'locked', userId: user.id };
    if (!matches) {
      const lockedNow = await this.recordFailure(user.id, now);
      await this.audit.record({
        type: lockedNow ? 'user.locked' : 'user.login_failed',
        subjectId: user.id,
        ip,
        details: lockedNow ? { lockedForSeconds: this.config.passwords.lockoutSeconds } : {},
      });
      return { ok: false, reason: 'wrong_password', userId: user.id, lockedNow };
    }
    await this.recordSuccess(user, password, now);
    return { ok: true, account: toPrincipal(user) };
  }

  /** Counts a failure and locks at the threshold, in one conditional UPDATE. Returns whether it locked. */
  private async recordFailure(userId: string, now: Date): Promise<boolean> {
    const { maxFailedAttempts, lockoutSeconds } = this.config.passwords;
    const until = new Date(now.getTime() + lockoutSeconds * 1000);
    // The CASE columns come before the counter: MySQL evaluates SET left to
    // right with updated values, SQLite with old ones; this order reads the old
    // count on both.
    await this.users
      .createQueryBuilder()
      .update(UserEntity)
      .set({
        status: () => `CASE WHEN failed_login_count + 1 >= :max THEN 'locked' ELSE 'active' END`,
        lockedUntil: () => `CASE WHEN failed_login_count + 1 >= :max THEN :until ELSE NULL END`,
        failedLoginCount: () =>
          `CASE WHEN failed_login_count + 1 >= :max THEN 0 ELSE failed_login_count + 1 END`,
        updatedAt: now,
      })
      .where('id = :id AND status <> :disabled', { id: userId, disabled: 'disabled' })
      .setParameters({ max: maxFailedAttempts, until })
      .execute();
    const after = await this.users.findOne({
      where: { id: userId },
      select: { id: true, status: true, lockedUntil: true },
    });
    return after?.status === 'locked' && after.lockedUntil?.getTime() === until.getTime();
  }

  private async recordSuccess(user: UserEntity, password: string, now: Date): Promise<void> {
    const changes: Partial<UserEntity> = {
      status: 'active',
      lockedUntil: null,
      failedLoginCount: 0,
      lastLoginAt: now,
      updatedAt: now,
    };
    if (this.hasher.needsUpgrade(user.passwordHash)) {
      // The password is known to be right only now: the moment to re-hash at the configured cost.
      changes.passwordHash = await this.hasher.hash(password);
      this.logger.log({ userId: user.id, cost: this.hasher.cost }, 'password hash upgraded');
    }
    await this.users.update({ id: user.id, status: user.status }, changes);
  }

  /** The account by id, for token issuance and renewal; null when it does not exist. */
  async findPrincipal(id: string): Promise<AccountPrincipal | null> {
    const user = await this.users.findOne({ where: { id } });
    return user ? toPrincipal(user) : null;
  }

  /** True when the account exists and may receive tokens now. */
  static isActive(account: AccountPrincipal): boolean {
    return account.status === 'active';
  }

  async createUser(input: NewUser): Promise<AccountPrincipal> {
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
      await this.users.save(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException('username is taken');
      throw error;
    }
    await this.audit.record({
      type: 'user.created',
      subjectId: user.id,
      details: { username: user.username, roles: roleNames },
    });
    return toPrincipal(user);
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

function isLockActive(user: UserEntity, now: Date): boolean {
  // A lock with no end stays until an admin lifts it; a timed lock ends by itself.
  return user.status === 'locked' && (user.lockedUntil === null || user.lockedUntil > now);
}

function toPrincipal(user: UserEntity): AccountPrincipal {
  const roles = (user.roles ?? []).map((role) => role.name).sort();
  const permissions = [
    ...new Set((user.roles ?? []).flatMap((role) => role.permissions.map((p) => p.name))),
  ].sort();
  const status =
    user.status === 'locked' && !isLockActive(user, new Date()) ? 'active' : user.status;
  return { id: user.id, username: user.username, email: user.email, status, roles, permissions };
}
