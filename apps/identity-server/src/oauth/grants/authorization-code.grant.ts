import { Injectable } from '@nestjs/common';
import { AccountsService } from '../../accounts/accounts.service';
import { AuditService } from '../../audit/audit.service';
import { ClientPrincipal } from '../../clients/client.types';
import { ClientsService } from '../../clients/clients.service';
import { OIDC_SCOPES, parseScope } from '../../clients/scope';
import { AuthorizationCodeStore } from '../authorize/authorization-code.store';
import { ConsentStore } from '../authorize/consent.store';
import { isWellFormedPkceValue } from '../authorize/pkce';
import { invalidGrant } from '../errors/oauth.error';
import { IdTokenIssuer } from '../oidc/id-token.issuer';
import { FormParams } from '../request/form-params';
import { RequestContext } from '../request/request-context';
import { AccessTokenIssuer } from '../tokens/access-token.issuer';
import { FamilyRevocationReason, RefreshTokenStore } from '../tokens/refresh-token.store';
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
    private readonly clients: ClientsService,
    private readonly consents: ConsentStore,
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
    const openid = scopes.includes(OIDC_SCOPES.openid);

    const grant = await this.refreshTokens.startGrant({
      familyId: granted.grantId,
      clientRef: client.ref,
      userId: user.id,
      scope,
      authTime: granted.authTime,
      // An OpenID authentication: its refreshes return ID tokens too, with this nonce (Core 1.0 §12.2).
      ...(openid ? { oidc: granted.nonce !== null ? { nonce: granted.nonce } : {} } : {}),
      withRefreshToken: client.grantTypes.includes('refresh_token'),
    });
    // Taken: the code was replayed meanwhile and the grant revoked before it started.
    if (!grant) throw invalidGrant(INVALID_CODE);
    const ended = await this.endedSince(granted.issuedAt, user.id, client.ref, scopes);
    if (ended) {
      await this.refreshTokens.revokeFamily(granted.grantId, ended);
      throw invalidGrant(INVALID_CODE);
    }

    const access = await this.accessTokens.issue({
      client,
      scope,
      user,
      authTime: granted.authTime,
      grantId: granted.grantId,
    });
    const response = tokenResponse(access, scope, grant.token);
    if (openid) {
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

  /**
   * Whether the user's or the client's grants ended after the code was
   * issued (password changed, account disabled, client suspended, consent
   * withdrawn, RFC 9700 §4.14). Checked once the grant row exists: whatever
   * ends grants writes its mark first and sweeps the grants second, so either
   * the sweep saw this grant or its mark is visible here; no redemption slips
   * between the two.
   */
  private async endedSince(
    issuedAt: Date,
    userId: string,
    clientRef: string,
    scopes: string[],
  ): Promise<FamilyRevocationReason | null> {
    const account = await this.accounts.findAccount(userId);
    if (!account || !AccountsService.isActive(account)) return 'user_inactive';
    if (account.passwordChangedAt.getTime() > issuedAt.getTime()) return 'password_changed';
    // From the database, not the status cache: a suspension made by another
    // process must be seen here at once, or a grant started after its sweep would survive it.
    const now = await this.clients.findByRef(clientRef, { fresh: true });
    const suspendedSince =
      now?.tokensRevokedBefore && now.tokensRevokedBefore.getTime() >= issuedAt.getTime();
    if (!now || now.status !== 'approved' || suspendedSince) return 'client_suspended';
    // A client that asks for consent: a withdrawal deletes the consent before it
    // sweeps the codes and grants, so a consent that no longer covers the scope
    // means this grant was withdrawn too. (Compared by content, not by time:
    // the processes that recorded the consent and issued the code may not
    // share a clock. A consent given again since, to the same scopes, is the
    // user's answer now. A client made third-party by an admin since the code
    // has no consent either: refused as withdrawn, which it is in effect.)
    if (!now.firstParty && !(await this.consents.covers(userId, clientRef, scopes)))
      return 'consent_withdrawn';
    return null;
  }
}
