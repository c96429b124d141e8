import type { Request, Response } from 'express';
import { AccountsService } from '../../accounts/accounts.service';
import { PasswordChecksBusyError } from '../../accounts/password-checks-busy.error';
import { ClientPrincipal } from '../../clients/client.types';
import { OAuthError } from '../errors/oauth.error';
import { writeOAuthError } from '../errors/oauth-exception.filter';
import { FormParams } from '../request/form-params';
import { AccessTokenIssuer } from '../tokens/access-token.issuer';
import { RefreshTokenStore } from '../tokens/refresh-token.store';
import { PasswordGrant } from './password.grant';

const client: ClientPrincipal = {
  ref: 'ref-1',
  clientId: 'console',
  name: 'Console',
  status: 'approved',
  firstParty: true,
  grantTypes: ['password'],
  scopes: ['orders:read'],
  redirectUris: [],
  tokensRevokedBefore: null,
};

function form(values: Record<string, string>): FormParams {
  const req = { is: () => true, body: values } as unknown as Request;
  return FormParams.fromRequest(req);
}

/** A response that records what the single OAuth error writer does to it. */
function recordingResponse() {
  const recorded = { status: 0, headers: new Map<string, string>(), body: undefined as unknown };
  const res = {
    status: (code: number) => ((recorded.status = code), res),
    setHeader: (name: string, value: string) => recorded.headers.set(name.toLowerCase(), value),
    json: (body: unknown) => ((recorded.body = body), res),
  };
  return { res: res as unknown as Response, recorded };
}

describe('PasswordGrant when the password queue is full', () => {
  const busyAccounts = {
    verifyPassword: () => Promise.reject(new PasswordChecksBusyError(3)),
  } as unknown as AccountsService;
  const unusedIssuer = {} as AccessTokenIssuer;
  const unusedStore = {} as RefreshTokenStore;
  const grant = new PasswordGrant(busyAccounts, unusedIssuer, unusedStore);
  const params = form({ grant_type: 'password', username: 'alice', password: 'pw' });

  it('refuses with temporarily_unavailable, 503 and Retry-After, not invalid_grant', async () => {
    const error = await grant.handle(params, client, { ip: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).code).toBe('temporarily_unavailable');
    expect((error as OAuthError).status).toBe(503);
    expect((error as OAuthError).retryAfterSeconds).toBe(3);

    const { res, recorded } = recordingResponse();
    writeOAuthError(res, error as OAuthError);
    expect(recorded.status).toBe(503);
    expect(recorded.headers.get('retry-after')).toBe('3');
    expect(recorded.headers.get('cache-control')).toBe('no-store');
    expect(recorded.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.any(String),
    });
  });

  it('passes any other failure through unchanged', async () => {
    const failing = new PasswordGrant(
      {
        verifyPassword: () => Promise.reject(new Error('database down')),
      } as unknown as AccountsService,
      unusedIssuer,
      unusedStore,
    );
    await expect(failing.handle(params, client, { ip: null })).rejects.toThrow('database down');
  });
});
