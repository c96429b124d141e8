import { Public } from '@tessera/auth-guard';
import { Controller, Header, HttpCode, Post, Req, UseFilters } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service';
import { ClientAuthenticator } from './client-auth/client-authenticator';
import { OAuthExceptionFilter } from './errors/oauth-exception.filter';
import { OAUTH_PATHS } from './oauth-paths';
import { FormParams } from './request/form-params';
import { requestContext } from './request/request-context';
import { TokenInspector } from './token-inspector';
import { AccessTokenRevocations } from './tokens/access-token-revocations';
import { RefreshTokenStore } from './tokens/refresh-token.store';

/**
 * Token revocation, RFC 7009. A client revokes its own tokens: a refresh token
 * revokes its whole grant (the family), an access token is listed as revoked
 * until it expires. Unknown tokens, and tokens of other clients, get the same
 * 200 and change nothing (§2.2: the answer must not tell what exists).
 */
// Protocol endpoint: open to callers without a bearer token (they authenticate otherwise or not at all).
@Public()
@Controller()
@UseFilters(OAuthExceptionFilter)
export class RevocationController {
  constructor(
    private readonly clientAuth: ClientAuthenticator,
    private readonly inspector: TokenInspector,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly accessTokens: AccessTokenRevocations,
    private readonly audit: AuditService,
  ) {}

  @Post(OAUTH_PATHS.revocation)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async revoke(@Req() req: Request): Promise<Record<string, never>> {
    const ctx = requestContext(req);
    const params = FormParams.fromRequest(req);
    const client = await this.clientAuth.authenticate(req, params, ctx);
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
