import { AccountPrincipal } from '../accounts/account.types';
import { ClientPrincipal } from '../clients/client.types';

// Unit-test fixtures shared by the grant and token specs (`*.testing.ts` stays
// out of the build: see apps/identity-server/tsconfig.app.json).

/** An approved client; each spec states only what its case is about. */
export function testClient(overrides: Partial<ClientPrincipal> = {}): ClientPrincipal {
  return {
    ref: 'ref-1',
    clientId: 'web-app',
    name: 'Web app',
    status: 'approved',
    firstParty: false,
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['orders:read'],
    redirectUris: ['https://app.example.test/cb'],
    tokensRevokedBefore: null,
    ...overrides,
  };
}

/** An active user with no roles. */
export function testUser(overrides: Partial<AccountPrincipal> = {}): AccountPrincipal {
  return {
    id: 'user-1',
    username: 'ada',
    email: null,
    status: 'active',
    roles: [],
    permissions: [],
    ...overrides,
  };
}
