import { ACCESS_TOKEN_TYPE } from '@tessera/auth-guard';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccountPrincipal } from '../../accounts/account.types';
import { ClientPrincipal } from '../../clients/client.types';
import { AppConfig } from '../../config/app-config';
import { JwtSigner } from '../../keys/jwt-signer';

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
}

/**
 * Mints JWT access tokens (RFC 9068): `iss`, `sub`, `aud`, `exp`, `iat`,
 * `jti`, `client_id`, `scope`; for a user also `auth_time`, `username`,
 * `roles` and `permissions`, and `grant_id` when the token belongs to a grant
 * with refresh tokens (an opaque id that lets introspection report the token
 * inactive once that grant is revoked, RFC 7009 §2.1). A client acting as
 * itself has `sub` = its client_id.
 */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly signer: JwtSigner,
    private readonly config: AppConfig,
  ) {}

  async issue(input: {
    client: ClientPrincipal;
    scope: string;
    user?: AccountPrincipal;
    authTime?: Date;
    grantId?: string;
  }): Promise<IssuedAccessToken> {
    const { accessTtlSeconds, audience } = this.config.tokens;
    const iat = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.config.issuer,
      sub: input.user ? input.user.id : input.client.clientId,
      aud: audience,
      exp: iat + accessTtlSeconds,
      iat,
      jti: randomUUID(),
      client_id: input.client.clientId,
      scope: input.scope,
    };
    if (input.user) {
      claims.auth_time = Math.floor((input.authTime ?? new Date()).getTime() / 1000);
      claims.username = input.user.username;
      claims.roles = input.user.roles;
      claims.permissions = input.user.permissions;
      if (input.grantId) claims.grant_id = input.grantId;
    }
    return {
      token: await this.signer.sign(claims, ACCESS_TOKEN_TYPE),
      expiresIn: accessTtlSeconds,
    };
  }
}
