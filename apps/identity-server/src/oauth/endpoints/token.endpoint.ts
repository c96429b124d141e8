import { Injectable } from '@nestjs/common';
import { ClientAuthenticator } from '../client-auth/client-authenticator';
import { unauthorizedClient } from '../errors/oauth.error';
import { GrantRegistry } from '../grants/grant-registry';
import { TokenResponse } from '../tokens/token-response';
import { OAuthEndpoint, OAuthEndpointRequest } from './oauth-endpoint';

/** The token endpoint, RFC 6749 §3.2, as an ordered list of named steps. */
@Injectable()
export class TokenEndpoint implements OAuthEndpoint {
  constructor(
    private readonly clientAuth: ClientAuthenticator,
    private readonly grants: GrantRegistry,
  ) {}

  async handle({ params, authorization, ctx }: OAuthEndpointRequest): Promise<TokenResponse> {
    // 1. Parse: a form body, no repeated parameters (RFC 6749 §3.1, §3.2): done by the caller.
    // 2. Authenticate the client (§2.3, §3.2.1).
    const client = await this.clientAuth.authenticate(authorization, params, ctx);
    // 3. The grant must be supported (unsupported_grant_type) and allowed to this client (unauthorized_client).
    const grantType = params.require('grant_type');
    const handler = this.grants.get(grantType);
    if (!client.grantTypes.includes(grantType))
      throw unauthorizedClient(`this client is not allowed the ${grantType} grant`);
    // 4. Dispatch.
    return handler.handle(params, client, ctx);
  }
}
