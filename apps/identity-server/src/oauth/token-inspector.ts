import { ACCESS_TOKEN_TYPE } from '@tessera/auth-guard';
import { Injectable } from '@nestjs/common';
import { JWTPayload } from 'jose';
import { AccountsService } from '../accounts/accounts.service';
import type { AccountPrincipal } from '../accounts/account.types';
import { ClientsService } from '../clients/clients.service';
import { AppConfig } from '../config/app-config';
import { JwtSigner } from '../keys/jwt-signer';
import { AccessTokenRevocations } from './tokens/access-token-revocations';
import { RefreshTokenStore } from './tokens/refresh-token.store';

type AccessClaims = JWTPayload & {
  client_id?: string;
  scope?: string;
  username?: string;
  grant_id?: string;
  roles?: unknown;
  permissions?: unknown;
};

/**
 * Whether the account still holds every role and permission the token
 * claims. Roles travel in tokens, so a role given shows in the next token;
 * a role taken away must not stay usable on the platform's own API until
 * the token expires (a demoted admin could give it back to themselves).
 */
function stillHolds(account: AccountPrincipal, claims: AccessClaims): boolean {
  const within = (claimed: unknown, held: string[]) =>
    claimed === undefined ||
    (Array.isArray(claimed) && claimed.every((name) => held.includes(name as string)));
  return within(claims.roles, account.roles) && within(claims.permissions, account.permissions);
}

export type InspectedToken =
  | {
      kind: 'access_token';
      active: boolean;
      claims: AccessClaims;
      /** Its client is first-party (trusted at review). */
      firstParty: boolean;
      /** The account it was issued to, as it is now (absent for a client's own token, or once it is inactive). */
      account?: AccountPrincipal;
    }
  | {
      kind: 'refresh_token';
      active: boolean;
      familyId: string;
      clientRef: string;
      clientId: string;
      userId: string;
      username?: string;
      scope: string;
      /** Only for the grant's live token: earlier ones have no times of their own here. */
      exp?: number;
      iat?: number;
    };

/**
 * Tells what a presented token is and whether it is active now, for
 * introspection and revocation. Active means: a valid signature by a published
 * key, `typ` at+jwt, our issuer, unexpired, not revoked, its client still
 * approved, its user still active and its grant not revoked (refresh tokens:
 * the grant's live token, grant not revoked).
 */
@Injectable()
export class TokenInspector {
  constructor(
    private readonly signer: JwtSigner,
    private readonly revocations: AccessTokenRevocations,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly clients: ClientsService,
    private readonly accounts: AccountsService,
    private readonly config: AppConfig,
  ) {}

  /**
   * The platform's own `/api` accepts only active access tokens of first-party
   * clients: an admin's token held by a third-party application must not
   * administer the platform, and a disabled admin or a revoked token must stop
   * at once, not at expiry.
   */
  async isActivePlatformToken(token: string): Promise<boolean> {
    const found = await this.inspectAccessToken(token);
    return (
      found?.kind === 'access_token' &&
      found.active &&
      found.firstParty &&
      (found.account === undefined || stillHolds(found.account, found.claims))
    );
  }

  async inspect(token: string, hint?: string): Promise<InspectedToken | null> {
    const looksLikeJwt = token.split('.').length === 3;
    // The hint is only a hint (RFC 7009 §2.1, RFC 7662 §2.1): fall back to the other kind.
    const order =
      hint === 'refresh_token' || !looksLikeJwt ? ['refresh', 'access'] : ['access', 'refresh'];
    for (const kind of order) {
      const found =
        kind === 'access'
          ? await this.inspectAccessToken(token)
          : await this.inspectRefreshToken(token);
      if (found) return found;
    }
    return null;
  }

  private async inspectAccessToken(token: string): Promise<InspectedToken | null> {
    if (token.split('.').length !== 3) return null;
    let claims: AccessClaims;
    try {
      claims = await this.signer.verify(token, {
        typ: ACCESS_TOKEN_TYPE,
        issuer: this.config.issuer,
      });
    } catch {
      return null;
    }
    const client = claims.client_id ? await this.clients.findByClientId(claims.client_id) : null;
    // A suspension ends every access token issued before it, even after reinstatement.
    const revokedBefore = client?.tokensRevokedBefore
      ? Math.floor(client.tokensRevokedBefore.getTime() / 1000)
      : undefined;
    let active =
      client?.status === 'approved' &&
      !(revokedBefore !== undefined && (claims.iat ?? 0) <= revokedBefore) &&
      !(claims.jti && (await this.revocations.isRevoked(claims.jti)));
    // RFC 7009 §2.1: revoking a grant (its refresh token) ends the access tokens issued from it.
    if (active && claims.grant_id)
      active = !(await this.refreshTokens.isFamilyRevoked(claims.grant_id));
    let account: AccountPrincipal | undefined;
    if (active && claims.sub && claims.sub !== claims.client_id) {
      const user = await this.accounts.findPrincipal(claims.sub);
      active = !!user && AccountsService.isActive(user);
      if (user && active) account = user;
    }
    return {
      kind: 'access_token',
      active,
      claims,
      firstParty: client?.firstParty === true,
      ...(account ? { account } : {}),
    };
  }

  private async inspectRefreshToken(token: string): Promise<InspectedToken | null> {
    const found = await this.refreshTokens.inspect(token);
    if (!found) return null;
    const client = await this.clients.findByRef(found.clientRef);
    const user = await this.accounts.findPrincipal(found.userId);
    const active =
      found.active && client?.status === 'approved' && !!user && AccountsService.isActive(user);
    return {
      kind: 'refresh_token',
      active,
      familyId: found.familyId,
      clientRef: found.clientRef,
      clientId: client?.clientId ?? '',
      userId: found.userId,
      username: user?.username,
      scope: found.scope,
      ...(found.active
        ? {
            exp: Math.floor(found.expiresAt.getTime() / 1000),
            iat: Math.floor(found.issuedAt.getTime() / 1000),
          }
        : {}),
    };
  }
}
