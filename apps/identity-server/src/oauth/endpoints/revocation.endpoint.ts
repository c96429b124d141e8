import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import { ClientAuthenticator } from '../client-auth/client-authenticator';
import { TokenInspector } from '../token-inspector';
import { OAuthEndpoint, OAuthEndpointRequest } from './oauth-endpoint';
import { AccessTokenRevocations } from '../tokens/access-token-revocations';
import { RefreshTokenStore } from '../tokens/refresh-token.store';

/**
 * Token revocation, RFC 7009. A client revokes its own tokens: a refresh token
 * revokes its whole grant (the family), an access token is listed as revoked
 * until it expires. Unknown tokens, and tokens of other clients, get the same
 * 200 and change nothing (§2.2: the answer must not tell what exists).
 */
@Injectable()
export class RevocationEndpoint implements OAuthEndpoint {
  constructor(
    private readonly clientAuth: ClientAuthenticator,
    private readonly inspector: TokenInspector,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly accessTokens: AccessTokenRevocations,
    private readonly audit: AuditService,
  ) {}

  async handle({
    params,
    authorization,
    ctx,
  }: OAuthEndpointRequest): Promise<Record<string, never>> {
    const client = await this.clientAuth.authenticate(authorization, params, ctx);
    const token = params.require('token');
    const found = await this.inspector.inspect(token, params.get('token_type_hint'));
    if (found?.kind === 'refresh_token' && found.clientRef === client.ref) {
      await this.refreshTokens.revokeFamily(found.familyId, 'revoked_by_client');
      await this.audit.record({
        type: 'token.revoked',
        clientId: client.clientId,
        subjectId: found.userId,
        ip: ctx.ip,
        details: { kind: 'refresh_token', familyId: found.familyId },
      });
    } else if (
      found?.kind === 'access_token' &&
      found.claims.client_id === client.clientId &&
      found.claims.jti &&
      found.claims.exp
    ) {
      await this.accessTokens.revoke(found.claims.jti, new Date(found.claims.exp * 1000));
      await this.audit.record({
        type: 'token.revoked',
        clientId: client.clientId,
        ip: ctx.ip,
        details: { kind: 'access_token', jti: found.claims.jti },
      });
    }
    return {};
  }
}
