/** What other modules learn about an account: never its hash. */
export interface AccountPrincipal {
  id: string;
  username: string;
  email: string | null;
  status: 'active' | 'disabled' | 'locked';
  roles: string[];
  permissions: string[];
}

/** An account as its administrators and its owner see it: the principal and its history. */
export interface AccountDetails extends AccountPrincipal {
  /** End of the lockout while one applies (status `locked`), else null. */
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  passwordChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** One page of accounts, in creation order. */
export interface AccountPage {
  items: AccountDetails[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * The outcome of a password check. `reason` is for the audit log only: every
 * failure looks the same to the caller (no user enumeration).
 */
export type CredentialCheck =
  | {
      ok: true;
      account: AccountPrincipal;
      /** The account's password change time as the check read it: see `AccountsService.endedSince`. */
      passwordChangedAt: Date;
    }
  | {
      ok: false;
      reason: 'unknown_user' | 'wrong_password' | 'locked' | 'disabled';
      userId?: string;
      lockedNow?: boolean;
    };

/** Who performs an administrative change, for the audit log. */
export interface Actor {
  /** The `sub` of the caller's access token. */
  id: string;
  ip?: string;
}
