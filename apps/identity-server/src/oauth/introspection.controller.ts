import { Public } from '@tessera/auth-guard';
import { Controller, Header, HttpCode, Post, Req, UseFilters } from '@nestjs/common';
import type { Request } from 'express';
import { ClientAuthenticator } from './client-auth/client-authenticator';
import { OAuthExceptionFilter } from './errors/oauth-exception.filter';
import { OAUTH_PATHS } from './oauth-paths';
import { FormParams } from './request/form-params';
import { requestContext } from './request/request-context';
import { TokenInspector } from './token-inspector';

/**
 * Token introspection, RFC 7662. Any approved client may introspect access
 * tokens (resource servers register as clients); a refresh token is described
 * only to the client it was issued to. Everything else is `{active: false}`.
 */
// Protocol endpoint: open to callers without a bearer token (they authenticate otherwise or not at all).
@Public()
@Controller()
@UseFilters(OAuthExceptionFilter)
export class IntrospectionController {
  constructor(
    private readonly clientAuth: ClientAuthenticator,
    private readonly inspector: TokenInspector,
  ) {}

  @Post(OAUTH_PATHS.introspection)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async introspect(@Req() req: Request): Promise<Record<string, unknown>> {
    const params = FormParams.fromRequest(req);
    const client = await this.clientAuth.authenticate(req, params, requestContext(req));
    const token = params.require('token');
    const found = await this.inspector.inspect(token, params.get('token_type_hint'));
    if (!found || !found.active) return { active: false };
    if (found.kind === 'refresh_token') {
      if (found.clientRef !== client.ref) return { active: false };
      return {
        active: true,
        token_type: 'refresh_token',
        scope: found.scope,
        client_id: found.clientId,
        username: found.username,
        sub: found.userId,
        exp: found.exp,
        iat: found.iat,
      };
    }
    const { claims } = found;
    return {
      active: true,
      token_type: 'Bearer',
      scope: claims.scope,
      client_id: claims.client_id,
      username: claims.username,
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
    };
  }
}
