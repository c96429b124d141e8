import { AccountDetails, AccountPrincipal } from './account.types';
import { UserEntity } from './user.entity';

/** A lock with no end stays until an admin lifts it; a timed lock ends by itself. */
export function isLockActive(user: UserEntity, now: Date): boolean {
  return user.status === 'locked' && (user.lockedUntil === null || user.lockedUntil > now);
}

/** The row as other modules may see it: names of roles and permissions, never the hash. */
export function toPrincipal(user: UserEntity): AccountPrincipal {
  const roles = (user.roles ?? []).map((role) => role.name).sort();
  const permissions = [
    ...new Set((user.roles ?? []).flatMap((role) => role.permissions.map((p) => p.name))),
  ].sort();
  const status =
    user.status === 'locked' && !isLockActive(user, new Date()) ? 'active' : user.status;
  return { id: user.id, username: user.username, email: user.email, status, roles, permissions };
}

/** The principal plus the account's history, for its administrators and its owner. */
export function toAccountDetails(user: UserEntity): AccountDetails {
  const principal = toPrincipal(user);
  return {
    ...principal,
    lockedUntil: principal.status === 'locked' ? user.lockedUntil : null,
    lastLoginAt: user.lastLoginAt,
    passwordChangedAt: user.passwordChangedAt,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
