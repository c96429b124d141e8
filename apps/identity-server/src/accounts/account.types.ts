/** What other modules learn about an account: never its hash. */
export interface AccountPrincipal {
  id: string;
  username: string;
  email: string | null;
  status: 'active' | 'disabled' | 'locked';
  roles: string[];
  permissions: string[];
}

/**
 * The outcome of a password check. `reason` is for the audit log only: every
 * failure looks the same to the caller (no user enumeration).
 */
export type CredentialCheck =
  | { ok: true; account: AccountPrincipal }
  | {
      ok: false;
      reason: 'unknown_user' | 'wrong_password' | 'locked' | 'disabled';
      userId?: string;
      lockedNow?: boolean;
    };
