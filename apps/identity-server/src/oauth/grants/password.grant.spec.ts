import type { ServerResponse } from 'node:http';
import { AccountsService } from '../../accounts/accounts.service';
import { PasswordChecksBusyError } from '../../accounts/password-checks-busy.error';
import { OAuthError } from '../errors/oauth.error';
import { writeOAuthError } from '../errors/oauth-error.writer';
import { FormParams } from '../request/form-params';
import { AccessTokenIssuer } from '../tokens/access-token.issuer';
import { RefreshTokenStore } from '../tokens/refresh-token.store';
import { PasswordGrant } from './password.grant';
import { testClient } from '../principals.testing';

const client = testClient({
  clientId: 'console',
  name: 'Console',
  firstParty: true,
  grantTypes: ['password'],
  redirectUris: [],
});

function form(values: Record<string, string>): FormParams {
  return FormParams.fromBody(values);
}

/** A response that records what the single OAuth error writer does to it. */
function recordingResponse() {
  const recorded = { status: 0, headers: new Map<string, string>(), body: undefined as unknown };
  const res = {
    set statusCode(code: number) {
      recorded.status = code;
    },
    setHeader: (name: string, value: string | number) =>
      recorded.headers.set(name.toLowerCase(), String(value)),
    end: (body: string) => {
      recorded.body = JSON.parse(body) as unknown;
    },
  };
  return { res: res as unknown as ServerResponse, recorded };
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
