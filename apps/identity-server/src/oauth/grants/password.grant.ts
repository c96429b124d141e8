import { Injectable } from '@nestjs/common';
import { AccountsService } from '../../accounts/accounts.service';
import { PasswordChecksBusyError } from '../../accounts/password-checks-busy.error';
import { ClientPrincipal } from '../../clients/client.types';
import { invalidGrant, temporarilyUnavailable } from '../errors/oauth.error';
import { FormParams } from '../request/form-params';
import { RequestContext } from '../request/request-context';
import { AccessTokenIssuer } from '../tokens/access-token.issuer';
import { RefreshTokenStore } from '../tokens/refresh-token.store';
import { TokenResponse, tokenResponse } from '../tokens/token-response';
import { GrantHandler } from './grant-handler';
import { grantScope } from './scope-policy';

/** The one answer for every failed sign-in, whatever the cause (no user enumeration). */
export const BAD_CREDENTIALS =
  'the username or password is incorrect, or the account cannot sign in';

const BUSY = 'too many sign-ins are being checked right now; retry after the time given';

/**
 * Resource owner password credentials, RFC 6749 §4.3. Only first-party
 * clients are ever allowed it (RFC 9700 §2.4; enforced at review).
 */
@Injectable()
export class PasswordGrant implements GrantHandler {
  readonly grantType = 'password';

  constructor(
    private readonly accounts: AccountsService,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly refreshTokens: RefreshTokenStore,
  ) {}

  async handle(
    params: FormParams,
    client: ClientPrincipal,
    ctx: RequestContext,
  ): Promise<TokenResponse> {
    const username = params.require('username');
    const password = params.require('password');
    const scope = grantScope(params.get('scope'), client.scopes);

    const check = await this.accounts
      .verifyPassword(username, password, ctx.ip ?? undefined)
      .catch((error: unknown) => {
        // The password queue is full: refuse now rather than let every sign-in wait longer.
        if (error instanceof PasswordChecksBusyError)
          throw temporarilyUnavailable(BUSY, error.retryAfterSeconds);
        throw error;
      });
    if (!check.ok) throw invalidGrant(BAD_CREDENTIALS);

    const authTime = new Date();
    const grant = client.grantTypes.includes('refresh_token')
      ? await this.refreshTokens.issueNew({
          clientRef: client.ref,
          userId: check.account.id,
          scope,
          authTime,
        })
      : undefined;
    // A disable or password change that ran during the check has swept the
    // account's grants already, but not this one: it ends here instead.
    const ended = await this.accounts.endedSince(check.account.id, check.passwordChangedAt);
    if (ended) {
      if (grant) await this.refreshTokens.revokeFamily(grant.familyId, ended);
      throw invalidGrant(BAD_CREDENTIALS);
    }
    const access = await this.accessTokens.issue({
      client,
      scope,
      user: check.account,
      authTime,
      grantId: grant?.familyId,
    });
    return tokenResponse(access, scope, grant?.token);
  }
}
