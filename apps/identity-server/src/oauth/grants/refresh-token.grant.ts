import { Injectable, Logger } from '@nestjs/common';
import { AccountsService } from '../../accounts/accounts.service';
import { AuditService } from '../../audit/audit.service';
import { ClientPrincipal } from '../../clients/client.types';
import { OIDC_SCOPES, parseScope } from '../../clients/scope';
import { invalidGrant } from '../errors/oauth.error';
import { hasScope } from '../oidc/claims';
import { IdTokenIssuer } from '../oidc/id-token.issuer';
import { FormParams } from '../request/form-params';
import { RequestContext } from '../request/request-context';
import { AccessTokenIssuer } from '../tokens/access-token.issuer';
import { RefreshGrant } from '../tokens/refresh-token.sealer';
import { RefreshTokenStore } from '../tokens/refresh-token.store';
import { TokenResponse, tokenResponse } from '../tokens/token-response';
import { GrantHandler } from './grant-handler';
import { grantScope } from './scope-policy';

const INVALID_REFRESH_TOKEN = 'the refresh token is invalid, expired or revoked';

/**
 * Refresh, RFC 6749 §6, with rotation: every use replaces the token with
 * its successor, and the one replaced stops working. The new access token may narrow the scope; the
 * successor keeps the original scope. The client was authenticated as
 * approved already; the user must still be active. A grant that began with an
 * OpenID Connect authentication also gets a new ID token while the scope of
 * the refresh keeps `openid` (Core 1.0 §12.2): same `sub`, `aud`, `auth_time`
 * and `nonce` as the first, a new `iat` and `at_hash`, and the claims of the
 * scope as granted now.
 *
 * The rotation commits before the new tokens are made. If making them fails
 * (a signing key or a database read), the rotation is taken back: the client
 * never received the successor, and its retry with the token it holds must not
 * count as reuse and revoke the grant. Refusals that revoke the grant (an
 * inactive user) leave nothing to take back.
 */
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = 'refresh_token';
  private readonly logger = new Logger(RefreshTokenGrant.name);

  constructor(
    private readonly store: RefreshTokenStore,
    private readonly accounts: AccountsService,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly idTokens: IdTokenIssuer,
    private readonly audit: AuditService,
  ) {}

  async handle(
    params: FormParams,
    client: ClientPrincipal,
    ctx: RequestContext,
  ): Promise<TokenResponse> {
    const token = params.require('refresh_token');
    const requestedScope = params.get('scope');

    if (requestedScope !== undefined) {
      // Check the scope before redeeming: a refused request must not burn the
      // token, or the client's retry would look like reuse and revoke the family.
      const current = await this.store.inspect(token);
      if (current?.active && current.clientRef === client.ref)
        grantScope(requestedScope, allowedNow(current.scope, client));
    }

    const redeemed = await this.store.redeem(token, client.ref);
    if (!redeemed.ok) {
      if (redeemed.reason === 'reused' || redeemed.reason === 'other_client') {
        await this.audit.record({
          type: 'token.refresh_reuse_detected',
          clientId: client.clientId,
          subjectId: redeemed.userId,
          ip: ctx.ip,
          details: { familyId: redeemed.familyId, reason: redeemed.reason },
        });
      }
      throw invalidGrant(INVALID_REFRESH_TOKEN);
    }
    const { grant, successor } = redeemed;
    try {
      return await this.answer(grant, successor, requestedScope, client);
    } catch (failure) {
      await this.store.undoRotation(grant.familyId, token, successor).catch((error: unknown) => {
        // The client hears of the first failure; its retry will count as reuse
        // and revoke the grant. (A failed query's bound values are redacted.)
        this.logger.error(
          { err: error, grantId: grant.familyId },
          'the rotation of a failed refresh could not be taken back',
        );
      });
      throw failure;
    }
  }

  /** The answer to a refresh whose rotation has committed. */
  private async answer(
    grant: RefreshGrant,
    successor: string,
    requestedScope: string | undefined,
    client: ClientPrincipal,
  ): Promise<TokenResponse> {
    const user = await this.accounts.findPrincipal(grant.userId);
    if (!user || !AccountsService.isActive(user)) {
      await this.store.revokeFamily(grant.familyId, 'user_inactive');
      throw invalidGrant(INVALID_REFRESH_TOKEN);
    }
    const scope = grantScope(requestedScope, allowedNow(grant.scope, client));

    const access = await this.accessTokens.issue({
      client,
      scope,
      user,
      authTime: grant.authTime,
      grantId: grant.familyId,
    });
    const response = tokenResponse(access, scope, successor);
    if (grant.oidc && hasScope(scope, OIDC_SCOPES.openid)) {
      response.id_token = await this.idTokens.issue({
        client,
        user,
        scope,
        ...(grant.oidc.nonce !== undefined ? { nonce: grant.oidc.nonce } : {}),
        authTime: grant.authTime,
        accessToken: access.token,
      });
    }
    return response;
  }
}

/** The original grant's scope, within what the client is allowed today (a review may have narrowed it). */
function allowedNow(grantedScope: string, client: ClientPrincipal): string[] {
  return (parseScope(grantedScope) ?? []).filter((scope) => client.scopes.includes(scope));
}
