import { Logger } from '@nestjs/common';
import { AccountsService } from '../../accounts/accounts.service';
import { AuditService } from '../../audit/audit.service';
import { OAuthError } from '../errors/oauth.error';
import { IdTokenIssuer } from '../oidc/id-token.issuer';
import { FormParams } from '../request/form-params';
import { AccessTokenIssuer } from '../tokens/access-token.issuer';
import { RefreshGrant } from '../tokens/refresh-token.sealer';
import { RefreshTokenStore } from '../tokens/refresh-token.store';
import { RefreshTokenGrant } from './refresh-token.grant';
import { testClient, testUser } from '../principals.testing';

const client = testClient({
  clientId: 'console',
  name: 'Console',
  firstParty: true,
  grantTypes: ['password', 'refresh_token'],
  scopes: ['orders:read', 'orders:write'],
  redirectUris: [],
});
const user = testUser();
const grant: RefreshGrant = {
  familyId: 'grant-1',
  clientRef: client.ref,
  userId: user.id,
  scope: 'orders:read orders:write',
  authTime: new Date(Date.UTC(2026, 10, 29, 12, 0, 0)),
};

/**
 * The grant with its rotation committed, and what happens after it: the
 * signer's answer, whether the undo works, and the client's allowed scopes
 * now (a review may narrow them between the scope check and the rotation).
 */
function refreshWith(after: {
  issue?: () => Promise<{ token: string; expiresIn: number }>;
  undo?: () => Promise<boolean>;
  scopesNow?: string[];
  userStatus?: 'active' | 'disabled';
}) {
  const undone: Array<[string, string, string]> = [];
  const revoked: string[] = [];
  const store = {
    inspect: async () => null,
    redeem: async () => ({ ok: true, grant, successor: 'the-successor' }),
    undoRotation: async (familyId: string, token: string, successor: string) => {
      undone.push([familyId, token, successor]);
      return after.undo ? after.undo() : true;
    },
    revokeFamily: async (familyId: string) => void revoked.push(familyId),
  } as unknown as RefreshTokenStore;
  const accounts = {
    findPrincipal: async () => ({ ...user, status: after.userStatus ?? 'active' }),
  } as unknown as AccountsService;
  const accessTokens = {
    issue: after.issue ?? (async () => ({ token: 'access', expiresIn: 900 })),
  } as unknown as AccessTokenIssuer;
  const handler = new RefreshTokenGrant(
    store,
    accounts,
    accessTokens,
    {} as IdTokenIssuer,
    {} as AuditService,
  );
  const clientNow = { ...client, scopes: after.scopesNow ?? client.scopes };
  const run = (extra: Record<string, string> = {}) =>
    handler
      .handle(
        FormParams.fromBody({ grant_type: 'refresh_token', refresh_token: 'the-token', ...extra }),
        clientNow,
        { ip: null },
      )
      .catch((e: unknown) => e);
  return { run, undone, revoked };
}

describe('RefreshTokenGrant after its rotation has committed', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers with the successor and takes nothing back when all goes well', async () => {
    const { run, undone } = refreshWith({});
    expect(await run()).toMatchObject({ access_token: 'access', refresh_token: 'the-successor' });
    expect(undone).toEqual([]);
  });

  it('takes the rotation back when the access token cannot be signed, and rethrows', async () => {
    const failure = new Error('the signing key is unavailable');
    const { run, undone } = refreshWith({ issue: () => Promise.reject(failure) });
    expect(await run()).toBe(failure);
    expect(undone).toEqual([['grant-1', 'the-token', 'the-successor']]);
  });

  it('takes the rotation back when a scope allowed a moment ago is refused now', async () => {
    const { run, undone } = refreshWith({ scopesNow: ['orders:read'] });
    const error = await run({ scope: 'orders:write' });
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).code).toBe('invalid_scope');
    expect(undone).toHaveLength(1);
  });

  it('still reports the first failure when the undo fails too, and logs the undo’s', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const failure = new Error('the signing key is unavailable');
    const { run } = refreshWith({
      issue: () => Promise.reject(failure),
      undo: () => Promise.reject(new Error('database down')),
    });
    expect(await run()).toBe(failure);
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ grantId: 'grant-1', err: expect.any(Error) }),
      'the rotation of a failed refresh could not be taken back',
    );
  });

  it('revokes the grant of a user disabled since (the undo then finds nothing live)', async () => {
    const { run, revoked } = refreshWith({ userStatus: 'disabled' });
    const error = await run();
    expect((error as OAuthError).code).toBe('invalid_grant');
    expect(revoked).toEqual(['grant-1']);
  });
});
