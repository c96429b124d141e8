import { CreateAccounts1763900000000 } from './1763900000000-create-accounts';
import { SeedRoles1763900000001 } from './1763900000001-seed-roles';
import { CreateClients1763900000002 } from './1763900000002-create-clients';
import { CreateScopes1763900000003 } from './1763900000003-create-scopes';
import { CreateSigningKeys1763900000004 } from './1763900000004-create-signing-keys';
import { CreateTokens1763900000005 } from './1763900000005-create-tokens';
import { CreateAuditEvents1763900000006 } from './1763900000006-create-audit-events';
import { AddSuspensionAndRegistrationAudit1763900000007 } from './1763900000007-add-suspension-and-registration-audit';
import { CreateBrowserFlow1763900000008 } from './1763900000008-create-browser-flow';
import { SeedOidcScopes1763900000009 } from './1763900000009-seed-oidc-scopes';
import { RotateRefreshTokensInPlace1763900000010 } from './1763900000010-rotate-refresh-tokens-in-place';

/** Every migration, in order. Listed explicitly: bundlers break glob loading. */
export const MIGRATIONS = [
  CreateAccounts1763900000000,
  SeedRoles1763900000001,
  CreateClients1763900000002,
  CreateScopes1763900000003,
  CreateSigningKeys1763900000004,
  CreateTokens1763900000005,
  CreateAuditEvents1763900000006,
  AddSuspensionAndRegistrationAudit1763900000007,
  CreateBrowserFlow1763900000008,
  SeedOidcScopes1763900000009,
  RotateRefreshTokensInPlace1763900000010,
];
