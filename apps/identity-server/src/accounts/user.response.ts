import { AccountDetails, AccountPage } from './account.types';

/** An account as the API returns it. Listed field by field: no hash can slip in. */
export interface UserResponse {
  id: string;
  username: string;
  email: string | null;
  status: 'active' | 'disabled' | 'locked';
  roles: string[];
  permissions: string[];
  /** ISO 8601 timestamps (UTC). `lockedUntil` is set only while a lockout applies. */
  lockedUntil: string | null;
  lastLoginAt: string | null;
  passwordChangedAt: string;
  createdAt: string;
  updatedAt: string;
}

/** One page of `GET /api/users`. */
export interface UserPageResponse {
  items: UserResponse[];
  /** Accounts in all pages. */
  total: number;
  limit: number;
  offset: number;
}

export function toUserResponse(account: AccountDetails): UserResponse {
  return {
    id: account.id,
    username: account.username,
    email: account.email,
    status: account.status,
    roles: account.roles,
    permissions: account.permissions,
    lockedUntil: account.lockedUntil?.toISOString() ?? null,
    lastLoginAt: account.lastLoginAt?.toISOString() ?? null,
    passwordChangedAt: account.passwordChangedAt.toISOString(),
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}

export function toUserPageResponse(page: AccountPage): UserPageResponse {
  return {
    items: page.items.map(toUserResponse),
    total: page.total,
    limit: page.limit,
    offset: page.offset,
  };
}
