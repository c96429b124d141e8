import { AccountPrincipal } from './account.types';

/** An account as the API returns it. Listed field by field: no hash can slip in. */
export interface UserResponse {
  id: string;
  username: string;
  email: string | null;
  status: 'active' | 'disabled' | 'locked';
  roles: string[];
  permissions: string[];
}

export function toUserResponse(account: AccountPrincipal): UserResponse {
  return {
    id: account.id,
    username: account.username,
    email: account.email,
    status: account.status,
    roles: account.roles,
    permissions: account.permissions,
  };
}
