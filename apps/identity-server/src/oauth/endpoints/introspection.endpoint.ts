import { Injectable } from '@nestjs/common';
import { ClientAuthenticator } from '../client-auth/client-authenticator';
import { TokenInspector } from '../token-inspector';
import { OAuthEndpoint, OAuthEndpointRequest } from './oauth-endpoint';

/**
 * Token introspection, RFC 7662. Any approved client may introspect access
 * tokens (resource servers register as clients); a refresh token is described
 * only to the client it was issued to. Everything else is `{active: false}`.
 */
@Injectable()
export class IntrospectionEndpoint implements OAuthEndpoint {
  constructor(
    private readonly clientAuth: ClientAuthenticator,
    private readonly inspector: TokenInspector,
  ) {}

  async handle({
    params,
    authorization,
    ctx,
  }: OAuthEndpointRequest): Promise<Record<string, unknown>> {
    const client = await this.clientAuth.authenticate(authorization, params, ctx);
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
