import { Injectable } from '@nestjs/common';
import { ClientPrincipal } from '../../clients/client.types';
import { FormParams } from '../request/form-params';
import { AccessTokenIssuer } from '../tokens/access-token.issuer';
import { TokenResponse, tokenResponse } from '../tokens/token-response';
import { GrantHandler } from './grant-handler';
import { grantScope } from './scope-policy';

/** Client credentials, RFC 6749 §4.4: a service acting as itself. No refresh token (§4.4.3). */
@Injectable()
export class ClientCredentialsGrant implements GrantHandler {
  readonly grantType = 'client_credentials';

  constructor(private readonly accessTokens: AccessTokenIssuer) {}

  async handle(params: FormParams, client: ClientPrincipal): Promise<TokenResponse> {
    const scope = grantScope(params.get('scope'), client.scopes);
    return tokenResponse(await this.accessTokens.issue({ client, scope }), scope);
  }
}
