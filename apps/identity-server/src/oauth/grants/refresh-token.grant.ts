import { Injectable } from '@nestjs/common';
import { AccountsService } from '../../accounts/accounts.service';
import { AuditService } from '../../audit/audit.service';
import { ClientPrincipal } from '../../clients/client.types';
import { OIDC_SCOPES, parseScope } from '../../clients/scope';
import { invalidGrant } from '../errors/oauth.error';
import { hasScope } from '../oidc/claims';
import { IdTokenIssuer } from '../oidc/id-token.issuer';
import { FormParams } from '../request/form-params';
import { RequestContext } from '../request/request-context';
import { AccessTokenIssuer, IssuedAccessToken } from '../tokens/access-token.issuer';
import { PresentedRefreshToken, RefreshTokenStore } from '../tokens/refresh-token.store';
import { TokenResponse, tokenResponse } from '../tokens/token-response';
import { GrantHandler } from './grant-handler';
import { grantScope } from './scope-policy';

const INVALID_REFRESH_TOKEN = 'the refresh token is invalid, expired or revoked';

/** What a refresh returns, all of it made before the rotation commits. */
interface PreparedRefresh {
  scope: string;
  access: IssuedAccessToken;
  idToken?: string;
}

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
 * Everything that can fail (the user's lookup, the scope, the signatures, the
 * profile read) is done before the rotation commits, from what the sealed
 * token says. A failure after it would leave the client without the successor:
 * its retry with the token it holds would then count as reuse and revoke the
 * grant. The price is a signature wasted on a token that turns out replayed,
 * expired or revoked; only a token this server sealed gets that far.
 */
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = 'refresh_token';

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
    const presented = this.store.open(params.require('refresh_token'));
    if (!presented) throw invalidGrant(INVALID_REFRESH_TOKEN);
    // Another client's token is prepared for nothing: the rotation refuses it.
    const prepared =
      presented.grant.clientRef === client.ref
        ? await this.prepare(presented, params.get('scope'), client)
        : null;

    const redeemed = await this.store.redeem(presented, client.ref);
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
    // Nothing prepared means another client's token, or one found not live: neither wins the rotation.
    if (!prepared) throw invalidGrant(INVALID_REFRESH_TOKEN);
    const response = tokenResponse(prepared.access, prepared.scope, redeemed.successor);
    if (prepared.idToken !== undefined) response.id_token = prepared.idToken;
    return response;
  }

  /**
   * The tokens for the grant the presented token names, or null when only its
   * rotation can tell what is wrong with it (see the scope below). Throws the
   * refusals that must not burn the token.
   */
  private async prepare(
    presented: PresentedRefreshToken,
    requestedScope: string | undefined,
    client: ClientPrincipal,
  ): Promise<PreparedRefresh | null> {
    const { grant } = presented;
    const user = await this.accounts.findPrincipal(grant.userId);
    if (!user || !AccountsService.isActive(user)) {
      await this.store.revokeFamily(grant.familyId, 'user_inactive');
      throw invalidGrant(INVALID_REFRESH_TOKEN);
    }

    let scope: string;
    try {
      scope = grantScope(requestedScope, allowedNow(grant.scope, client));
    } catch (refused) {
      // A refused scope leaves the token as it was, so the client can retry
      // without it; but only the holder of the live token hears about its
      // scope. An earlier token goes on to the rotation, which detects the
      // reuse and revokes the grant.
      const current = await this.store.inspect(presented.token);
      if (current?.active) throw refused;
      return null;
    }

    const access = await this.accessTokens.issue({
      client,
      scope,
      user,
      authTime: grant.authTime,
      grantId: grant.familyId,
    });
    if (!grant.oidc || !hasScope(scope, OIDC_SCOPES.openid)) return { scope, access };
    const idToken = await this.idTokens.issue({
      client,
      user,
      scope,
      ...(grant.oidc.nonce !== undefined ? { nonce: grant.oidc.nonce } : {}),
      authTime: grant.authTime,
      accessToken: access.token,
    });
    return { scope, access, idToken };
  }
}

/** The original grant's scope, within what the client is allowed today (a review may have narrowed it). */
function allowedNow(grantedScope: string, client: ClientPrincipal): string[] {
  return (parseScope(grantedScope) ?? []).filter((scope) => client.scopes.includes(scope));
}
