import { Injectable } from '@nestjs/common';
import { AccountsService } from '../../accounts/accounts.service';
import { AuditService } from '../../audit/audit.service';
import { ClientPrincipal } from '../../clients/client.types';
import { parseScope } from '../../clients/scope';
import { AuthorizationCodeStore } from '../authorize/authorization-code.store';
import { isWellFormedPkceValue } from '../authorize/pkce';
import { invalidGrant } from '../errors/oauth.error';
import { IdTokenIssuer } from '../oidc/id-token.issuer';
import { FormParams } from '../request/form-params';
import { RequestContext } from '../request/request-context';
import { AccessTokenIssuer } from '../tokens/access-token.issuer';
import { RefreshTokenStore } from '../tokens/refresh-token.store';
import { TokenResponse, tokenResponse } from '../tokens/token-response';
import { GrantHandler } from './grant-handler';

const INVALID_CODE =
  'the authorization code is invalid, expired, already used, or was issued for another client, redirect URI or code verifier';

/**
 * Authorization code, RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5-4.6). The code
 * is redeemed by one conditional UPDATE that checks every binding at once;
 * whatever fails is the same `invalid_grant`. A code presented again after
 * use revokes the grant issued from it (§4.1.2): its access tokens become
 * inactive and its refresh token stops working.
 */
@Injectable()
export class AuthorizationCodeGrant implements GrantHandler {
  readonly grantType = 'authorization_code';

  constructor(
    private readonly codes: AuthorizationCodeStore,
    private readonly accounts: AccountsService,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly idTokens: IdTokenIssuer,
    private readonly audit: AuditService,
  ) {}

  async handle(
    params: FormParams,
    client: ClientPrincipal,
    ctx: RequestContext,
  ): Promise<TokenResponse> {
    const code = params.require('code');
    const verifier = params.get('code_verifier');
    // The code is redeemed with the verifier (RFC 7636 §4.6); a missing or
    // malformed one cannot match and fails like a wrong one.
    const wellFormed = verifier !== undefined && isWellFormedPkceValue(verifier) ? verifier : null;
    const redeemed = await this.codes.redeem(
      code,
      client.ref,
      params.get('redirect_uri') ?? '',
      wellFormed,
    );

    if (!redeemed.ok) {
      if (redeemed.reused) {
        await this.refreshTokens.revokeGrant(
          { familyId: redeemed.reused.grantId, ...redeemed.reused },
          'code_reuse',
        );
        await this.audit.record({
          type: 'authorization_code.reused',
          clientId: client.clientId,
          clientRef: client.ref,
          subjectId: redeemed.reused.userId,
          ip: ctx.ip,
          details: { grantId: redeemed.reused.grantId },
        });
      }
      throw invalidGrant(INVALID_CODE);
    }

    const { code: granted } = redeemed;
    const user = await this.accounts.findPrincipal(granted.userId);
    if (!user || !AccountsService.isActive(user)) throw invalidGrant(INVALID_CODE);
    // The scope as granted, within what the client is allowed today.
    const scopes = (parseScope(granted.scope) ?? []).filter((s) => client.scopes.includes(s));
    const scope = scopes.join(' ');

    const grant = await this.refreshTokens.startGrant({
      familyId: granted.grantId,
      clientRef: client.ref,
      userId: user.id,
      scope,
      authTime: granted.authTime,
      withRefreshToken: client.grantTypes.includes('refresh_token'),
    });
    // Taken: the code was replayed meanwhile and the grant revoked before it started.
    if (!grant) throw invalidGrant(INVALID_CODE);

    const access = await this.accessTokens.issue({
      client,
      scope,
      user,
      authTime: granted.authTime,
      grantId: granted.grantId,
    });
    const response = tokenResponse(access, scope, grant.token);
    if (scopes.includes('openid')) {
      response.id_token = await this.idTokens.issue({
        client,
        user,
        scope,
        ...(granted.nonce !== null ? { nonce: granted.nonce } : {}),
        authTime: granted.authTime,
        accessToken: access.token,
      });
    }
    return response;
  }
}
