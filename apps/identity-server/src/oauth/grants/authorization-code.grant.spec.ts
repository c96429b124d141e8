import { AccountsService } from '../../accounts/accounts.service';
import { AuditService } from '../../audit/audit.service';
import { ClientPrincipal } from '../../clients/client.types';
import { ClientsService } from '../../clients/clients.service';
import { AuthorizationCodeStore, RedeemedCode } from '../authorize/authorization-code.store';
import { ConsentStore } from '../authorize/consent.store';
import { OAuthError } from '../errors/oauth.error';
import { IdTokenIssuer } from '../oidc/id-token.issuer';
import { FormParams } from '../request/form-params';
import { AccessTokenIssuer } from '../tokens/access-token.issuer';
import { RefreshTokenStore } from '../tokens/refresh-token.store';
import { AuthorizationCodeGrant } from './authorization-code.grant';
import { testClient, testUser } from '../principals.testing';

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const ISSUED_AT = new Date(Date.UTC(2026, 10, 29, 12, 0, 0));
const client = testClient();
const user = testUser();
const redeemed: RedeemedCode = {
  clientRef: client.ref,
  userId: user.id,
  scope: 'orders:read',
  nonce: null,
  authTime: ISSUED_AT,
  issuedAt: ISSUED_AT,
  grantId: 'grant-1',
};

function params(): FormParams {
  return FormParams.fromBody({
    grant_type: 'authorization_code',
    code: 'the-code',
    code_verifier: VERIFIER,
  });
}

/**
 * What the world looks like just after the grant row is inserted: the
 * account (status, password change), the client (status, suspension mark) and
 * the user's consent to it (its scopes; null once withdrawn).
 */
function grantWith(after: {
  passwordChangedAt?: Date;
  status?: 'active' | 'disabled';
  clientNow?: Partial<ClientPrincipal>;
  consented?: string[] | null;
}) {
  const revoked: string[] = [];
  const reasons: string[] = [];
  const accounts = {
    findPrincipal: async () => user,
    findAccount: async () => ({
      ...user,
      status: after.status ?? 'active',
      passwordChangedAt: after.passwordChangedAt ?? new Date(ISSUED_AT.getTime() - 60_000),
    }),
  } as unknown as AccountsService;
  const clients = {
    // The status cache may still hold the client as it was; only a fresh read shows the change.
    findByRef: async (_ref: string, options?: { fresh?: boolean }) =>
      options?.fresh ? { ...client, ...after.clientNow } : client,
  } as unknown as ClientsService;
  const codes = {
    redeem: async () => ({ ok: true, code: redeemed }),
  } as unknown as AuthorizationCodeStore;
  const refreshTokens = {
    startGrant: async () => ({ token: 'refresh' }),
    revokeFamily: async (familyId: string, reason: string) => {
      revoked.push(familyId);
      reasons.push(reason);
    },
  } as unknown as RefreshTokenStore;
  const accessTokens = {
    issue: async () => ({ token: 'access', expiresIn: 900 }),
  } as unknown as AccessTokenIssuer;
  const consented = after.consented === undefined ? ['orders:read'] : after.consented;
  const asked: string[][] = [];
  const consents = {
    covers: async (_user: string, _client: string, scopes: string[]) => {
      asked.push(scopes);
      return consented !== null && scopes.every((scope) => consented.includes(scope));
    },
  } as unknown as ConsentStore;
  const grant = new AuthorizationCodeGrant(
    codes,
    accounts,
    clients,
    consents,
    accessTokens,
    refreshTokens,
    {} as IdTokenIssuer,
    {} as AuditService,
  );
  return { grant, revoked, reasons, asked };
}

describe('AuthorizationCodeGrant: grants ended while the code was redeemed', () => {
  it('issues tokens when nothing changed since the code was issued', async () => {
    const { grant, revoked, asked } = grantWith({});
    await expect(grant.handle(params(), client, { ip: null })).resolves.toMatchObject({
      access_token: 'access',
      refresh_token: 'refresh',
    });
    expect(revoked).toEqual([]);
    // The consent is checked against the scope the grant carries.
    expect(asked).toEqual([['orders:read']]);
  });

  it.each([
    [
      'the password changed after the code was issued',
      { passwordChangedAt: new Date(ISSUED_AT.getTime() + 1) },
    ],
    ['the account was disabled', { status: 'disabled' as const }],
    ['the client was suspended', { clientNow: { status: 'suspended' as const } }],
    [
      'the client was suspended and reinstated',
      { clientNow: { tokensRevokedBefore: new Date(ISSUED_AT.getTime() + 5) } },
    ],
    ['the user withdrew consent from the client', { consented: null }],
    ['the user withdrew consent and gave it again to less', { consented: ['profile'] }],
  ])('revokes the new grant and answers invalid_grant when %s', async (_name, after) => {
    const { grant, revoked } = grantWith(after);
    const error = await grant.handle(params(), client, { ip: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).code).toBe('invalid_grant');
    expect(revoked).toEqual(['grant-1']);
  });

  it('records a withdrawn consent as the reason', async () => {
    const { grant, reasons } = grantWith({ consented: null });
    await expect(grant.handle(params(), client, { ip: null })).rejects.toBeInstanceOf(OAuthError);
    expect(reasons).toEqual(['consent_withdrawn']);
  });

  it('asks a first-party client for no consent: none recorded is no withdrawal', async () => {
    const firstParty = { ...client, firstParty: true };
    const { grant, revoked } = grantWith({ consented: null, clientNow: { firstParty: true } });
    await expect(grant.handle(params(), firstParty, { ip: null })).resolves.toMatchObject({
      access_token: 'access',
    });
    expect(revoked).toEqual([]);
  });
});
