import { BearerChallengeException } from '@tessera/auth-guard';
import { Injectable } from '@nestjs/common';
import { AccountsService } from '../../accounts/accounts.service';
import { TokenInspector } from '../token-inspector';
import { USERINFO_REALM } from './bearer-token';
import { OIDC_SCOPES } from '../../clients/scope';
import { claimsForScope, hasScope } from './claims';

const invalidToken = (description: string) =>
  new BearerChallengeException(USERINFO_REALM, 'invalid_token', description);

/**
 * The UserInfo answer (Core 1.0 §5.3): for an active access token that a user
 * granted with the `openid` scope, `sub` and the claims of the token's scope,
 * read from the account now (so that a changed address shows at once).
 */
@Injectable()
export class UserinfoService {
  constructor(
    private readonly inspector: TokenInspector,
    private readonly accounts: AccountsService,
  ) {}

  async claimsFor(token: string): Promise<Record<string, unknown>> {
    // Active as introspection means it: signature, issuer, expiry, revocation,
    // the client still approved and the user still active (a disabled user's
    // token stops at once, not at expiry).
    const found = await this.inspector.inspect(token, 'access_token');
    if (!found || found.kind !== 'access_token' || !found.active)
      throw invalidToken('the access token is invalid, expired or revoked');
    const { sub, client_id: clientId, scope, username } = found.claims;
    // A client's own token (client_credentials: sub = client_id) speaks for no user.
    if (!sub || !username || sub === clientId)
      throw invalidToken('the access token was not issued for a user');
    // §5.3.3 with RFC 6750 §3.1: without `openid` the token may not read userinfo.
    if (!hasScope(scope, OIDC_SCOPES.openid)) {
      throw new BearerChallengeException(
        USERINFO_REALM,
        'insufficient_scope',
        'the access token lacks the openid scope',
        [OIDC_SCOPES.openid],
      );
    }
    const account = await this.accounts.findAccount(sub);
    if (!account) throw invalidToken('the access token was not issued for a user');
    // §5.3.2: `sub` always, first; then only the claims the scope releases.
    return { sub, ...claimsForScope(scope ?? '', account) };
  }
}
