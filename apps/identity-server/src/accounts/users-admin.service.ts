import { EventEmitter2 } from '@nestjs/event-emitter';
import { ACCOUNT_GRANTS_ENDED, AccountGrantsEndedEvent } from './account-events';
import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { isDeadlock, isUniqueViolation } from '../database/errors';
import { executeStatement } from '../database/raw-rows';
import { toAccountDetails } from './account.mapper';
import { AccountDetails, AccountPage, Actor } from './account.types';
import { AccountsService, NewUser } from './accounts.service';
import { passwordPolicyViolation } from './password-policy';
import { RoleEntity } from './role.entity';
import { UserEntity, UserStatus } from './user.entity';

/** The role the platform must never lose its last holder of (SPEC: admins manage users and review clients). */
export const ADMIN_ROLE = 'admin';

/**
 * SQL: how many accounts other than the given one hold the admin role and are
 * not disabled (parameters: the role name, the account id). A temporarily
 * locked admin still counts: the lock ends by itself. The count sits in a
 * derived table because MySQL refuses a subquery on the table an UPDATE or
 * DELETE changes unless it is materialized (ER_UPDATE_TABLE_USED); one with an
 * aggregate always is.
 */
const OTHER_ACTIVE_ADMINS = `(SELECT admins.n FROM (
    SELECT COUNT(*) AS n FROM users peer
    INNER JOIN user_roles peer_link ON peer_link.user_id = peer.id
    INNER JOIN roles peer_role ON peer_role.id = peer_link.role_id
    WHERE peer_role.name = ? AND peer.status <> 'disabled' AND peer.id <> ?
  ) admins)`;

/** Disables the account (`?` 1, 2, 5) unless it is the last active admin. */
const DISABLE_UNLESS_LAST_ADMIN = `UPDATE users SET status = 'disabled'
  WHERE id = ? AND (
    status = 'disabled'
    OR NOT EXISTS (
      SELECT 1 FROM user_roles own_link
      INNER JOIN roles own_role ON own_role.id = own_link.role_id
      WHERE own_link.user_id = ? AND own_role.name = ?)
    OR ${OTHER_ACTIVE_ADMINS} > 0)`;

/** Removes the admin role (its id) from the account unless it is the last active admin. */
const REMOVE_ADMIN_UNLESS_LAST = `DELETE FROM user_roles
  WHERE user_id = ? AND role_id = ? AND (
    EXISTS (SELECT 1 FROM users candidate WHERE candidate.id = ? AND candidate.status = 'disabled')
    OR ${OTHER_ACTIVE_ADMINS} > 0)`;

/** How often a guarded statement is retried after InnoDB picked it as a deadlock victim. */
const DEADLOCK_ATTEMPTS = 3;

/**
 * What admins do to accounts: list, read, create, replace the role set, set
 * the status. One invariant holds across all of it: at least one account that
 * is not disabled keeps the admin role, or nobody could ever administer the
 * platform again (the bootstrap admin is only created when no admin exists at
 * all). Each change that could break it is one conditional statement, so two
 * admins demoting each other at the same moment cannot both succeed.
 */
@Injectable()
export class UsersAdminService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>,
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
  ) {}

  /** A page of accounts in a stable order: creation time, then id. */
  async list(limit: number, offset: number): Promise<AccountPage> {
    const [rows, total] = await this.users.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: offset,
      take: limit,
    });
    return { items: rows.map(toAccountDetails), total, limit, offset };
  }

  async get(id: string): Promise<AccountDetails> {
    const user = await this.users.findOne({ where: { id } });
    if (!user) throw notFound();
    return toAccountDetails(user);
  }

  /** Creates an account with the API's password policy (the bootstrap admin bypasses it: it comes from configuration). */
  async create(actor: Actor, input: Omit<NewUser, 'actorId'>): Promise<AccountDetails> {
    const violation = passwordPolicyViolation(input.password, input.username);
    if (violation) throw new BadRequestException([violation]);
    return this.accounts.createUser({ ...input, actorId: actor.id });
  }

  /**
   * Replaces the account's role set. Removing the admin role is one guarded
   * DELETE (409 when it is the last active admin's); the other links are then
   * removed and added one statement each. Two admins replacing the same
   * account's roles at the same moment may leave the union of their additions;
   * the audit log shows both changes.
   */
  async replaceRoles(actor: Actor, id: string, roleNames: string[]): Promise<AccountDetails> {
    const wanted = await this.resolveRoles(roleNames);
    const user = await this.users.findOne({ where: { id } });
    if (!user) throw notFound();
    const current = user.roles ?? [];
    const removed = current.filter((role) => !wanted.some((w) => w.id === role.id));
    const added = wanted.filter((role) => !current.some((c) => c.id === role.id));

    // The cached principal (roles, permissions) is forgotten once the links are
    // written, also when a step fails after others have committed.
    await this.accounts.afterAccountWrite(id, async () => {
      const adminRole = removed.find((role) => role.name === ADMIN_ROLE);
      if (adminRole) await this.removeAdminRole(id, adminRole.id);
      const others = removed.filter((role) => role !== adminRole).map((role) => role.id);
      const links = this.users.createQueryBuilder().relation(UserEntity, 'roles').of(id);
      if (others.length) await links.remove(others);
      for (const role of added) {
        try {
          await links.add(role.id);
        } catch (error) {
          // Added by a concurrent request already: the link is there, as wanted.
          if (!isUniqueViolation(error)) throw error;
        }
      }
      await this.users.update({ id }, { updatedAt: new Date() });
    });

    await this.audit.record({
      type: 'user.roles_changed',
      actorId: actor.id,
      subjectId: id,
      ip: actor.ip,
      details: {
        from: current.map((role) => role.name).sort(),
        to: wanted.map((role) => role.name).sort(),
      },
    });
    return this.get(id);
  }

  /**
   * Sets `active` or `disabled`. `active` also lifts a lockout and resets the
   * failure counter (unlocking is re-activating). `disabled` refuses every
   * grant at once: the password grant checks the status, and the refresh grant
   * checks it and revokes the family it was presented with.
   */
  async setStatus(
    actor: Actor,
    id: string,
    status: Extract<UserStatus, 'active' | 'disabled'>,
  ): Promise<AccountDetails> {
    const before = await this.get(id);
    const now = new Date();
    if (status === 'active') {
      const result = await this.accounts.afterAccountWrite(id, () =>
        this.users.update(
          { id },
          { status: 'active', failedLoginCount: 0, lockedUntil: null, updatedAt: now },
        ),
      );
      if (!result.affected) throw notFound();
    } else {
      // The cached principal is forgotten before the grants are swept: from then on,
      // introspection and the refresh grant read the account as disabled.
      await this.accounts.afterAccountWrite(id, () => this.disable(id, now));
      // Disabled means no grant survives, even one a later re-activation would otherwise revive.
      const event: AccountGrantsEndedEvent = { userId: id, reason: 'user_disabled' };
      await this.events.emitAsync(ACCOUNT_GRANTS_ENDED, event);
    }
    await this.audit.record({
      type: 'user.status_changed',
      actorId: actor.id,
      subjectId: id,
      ip: actor.ip,
      details: { from: before.status, to: status },
    });
    return this.get(id);
  }

  /** Disables unless that would leave no active admin: one conditional UPDATE, its row count decides. */
  private async disable(id: string, now: Date): Promise<void> {
    const changed = await this.guarded(DISABLE_UNLESS_LAST_ADMIN, [
      id,
      id,
      ADMIN_ROLE,
      ADMIN_ROLE,
      id,
    ]);
    if (changed) {
      await this.users.update({ id }, { updatedAt: now });
      return;
    }
    if (!(await this.users.existsBy({ id }))) throw notFound();
    throw lastAdmin('disabled');
  }

  /** Removes the admin role unless its holder is the last active admin: one conditional DELETE. */
  private async removeAdminRole(id: string, adminRoleId: string): Promise<void> {
    const removed = await this.guarded(REMOVE_ADMIN_UNLESS_LAST, [
      id,
      adminRoleId,
      id,
      ADMIN_ROLE,
      id,
    ]);
    if (removed) return;
    const stillAdmin = await this.users
      .createQueryBuilder('user')
      .innerJoin('user.roles', 'role', 'role.id = :roleId', { roleId: adminRoleId })
      .where('user.id = :id', { id })
      .getExists();
    // Gone already (a concurrent request removed it): the outcome wanted.
    if (stillAdmin) throw lastAdmin('stripped of the admin role');
  }

  /**
   * Runs one guarded statement and returns how many rows it changed. Plain SQL
   * with `?` placeholders (both drivers take them): the query builder would
   * rewrite `roles` into a column name, as it is also a property of UserEntity.
   */
  private guarded(sql: string, parameters: string[]): Promise<number> {
    return retryOnDeadlock(() => executeStatement(this.users.manager.connection, sql, parameters));
  }

  /** The roles by name, each once; 400 naming every unknown one. */
  private async resolveRoles(names: string[]): Promise<RoleEntity[]> {
    const unique = [...new Set(names)];
    const roles = unique.length ? await this.roles.find({ where: { name: In(unique) } }) : [];
    const missing = unique.filter((name) => !roles.some((role) => role.name === name));
    if (missing.length) throw new BadRequestException(`unknown role(s): ${missing.join(', ')}`);
    return roles;
  }
}

function notFound(): NotFoundException {
  return new NotFoundException('no user with this id');
}

function lastAdmin(what: string): ConflictException {
  return new ConflictException(
    `this is the last active admin: it cannot be ${what} until another active admin exists`,
  );
}

/**
 * On MariaDB the guarded statements read the admin rows with shared locks, so
 * two opposite changes at once deadlock and InnoDB rolls one back; run it
 * again, and it sees the other's outcome. SQLite runs statements one at a time.
 */
async function retryOnDeadlock<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if (!isDeadlock(error) || attempt >= DEADLOCK_ATTEMPTS) throw error;
    }
  }
}
