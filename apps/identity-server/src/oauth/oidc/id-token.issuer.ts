import { Injectable } from '@nestjs/common';
import { AccountPrincipal } from '../../accounts/account.types';
import { AccountsService } from '../../accounts/accounts.service';
import { ClientPrincipal } from '../../clients/client.types';
import { AppConfig } from '../../config/app-config';
import { JwtSigner } from '../../keys/jwt-signer';
import { KeyRingService } from '../../keys/key-ring.service';
import { accessTokenHash } from './at-hash';
import { OIDC_SCOPES } from '../../clients/scope';
import { claimsForScope, hasScope } from './claims';

/** The JOSE `typ` of an ID token (Core 1.0 §2 names none; RFC 7519 §5.1 recommends `JWT`). */
export const ID_TOKEN_TYPE = 'JWT';

/**
 * `amr` (Core 1.0 §2, values from RFC 8176 §2): how the user authenticated.
 * Tessera's one way is the password (`pwd`), typed at its sign-in page; a
 * relying party that needs a second factor learns from this that there was
 * none. With a second method, this would come from the browser session.
 */
const AUTHENTICATION_METHODS = ['pwd'] as const;

/**
 * CONTRACT (issue 6): mints OpenID Connect ID tokens (Core 1.0 §2, §3.1.3.6):
 * `iss`, `sub`, `aud` = the client_id, `exp`, `iat`, `auth_time`, `amr`,
 * `nonce` when the request had one, `at_hash` of the access token issued beside it,
 * and the claims of the `profile` and `email` scopes granted.
 */
export interface IdTokenInput {
  client: ClientPrincipal;
  user: AccountPrincipal;
  /** The granted scope (space-separated); decides which claims are added. */
  scope: string;
  nonce?: string;
  authTime: Date;
  /** The access token issued in the same response (for `at_hash`). */
  accessToken: string;
}

/**
 * ID tokens, signed by the key ring's current key like access tokens (so the
 * same JWKS verifies both), but with header `typ: JWT`: a resource server that
 * checks RFC 9068's `at+jwt` therefore never accepts an ID token as an access
 * token. `sub` is the user's id, the same as in access tokens and userinfo.
 *
 * Lifetime: the access token's (`ACCESS_TOKEN_TTL_SECONDS`, 15 min by
 * default). An ID token is consumed by the client once, at the token response
 * (§3.1.3.7); its `exp` only has to outlast that, and one lifetime setting is
 * easier to reason about than two.
 */
@Injectable()
export class IdTokenIssuer {
  constructor(
    private readonly ring: KeyRingService,
    private readonly signer: JwtSigner,
    private readonly accounts: AccountsService,
    private readonly config: AppConfig,
  ) {}

  async issue(input: IdTokenInput): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    // The key is read ONCE: `at_hash` uses the hash of the algorithm of the key
    // that signs (§3.1.3.6), and a rotation between two reads of the ring would
    // sign with another key than the one whose algorithm computed it.
    const key = await this.ring.signingKey();
    const claims: Record<string, unknown> = {
      iss: this.config.issuer,
      sub: input.user.id,
      aud: input.client.clientId,
      // §2: the party the token was issued to; equal to the single audience here.
      azp: input.client.clientId,
      exp: iat + this.config.tokens.accessTtlSeconds,
      iat,
      auth_time: Math.floor(input.authTime.getTime() / 1000),
      amr: [...AUTHENTICATION_METHODS],
      at_hash: accessTokenHash(input.accessToken, key.algorithm),
    };
    // §3.1.2.1 / §3.1.3.6: the nonce is echoed unchanged, and only when the request had one.
    if (input.nonce !== undefined) claims.nonce = input.nonce;
    Object.assign(claims, await this.userClaims(input));
    // With this key, not whichever is current by the time the claims are ready.
    return this.signer.sign(claims, ID_TOKEN_TYPE, key);
  }

  /** `profile` and `email` claims (§5.4); the account is read again only for `updated_at`. */
  private async userClaims(input: IdTokenInput): Promise<Record<string, unknown>> {
    const account = hasScope(input.scope, OIDC_SCOPES.profile)
      ? await this.accounts.findAccount(input.user.id)
      : null;
    return claimsForScope(input.scope, {
      username: input.user.username,
      email: input.user.email,
      updatedAt: account?.updatedAt ?? null,
    });
  }
}
