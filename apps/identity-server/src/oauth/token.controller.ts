import { Public } from '@tessera/auth-guard';
import { Controller, Header, HttpCode, Post, Req, UseFilters } from '@nestjs/common';
import type { Request } from 'express';
import { ClientAuthenticator } from './client-auth/client-authenticator';
import { unauthorizedClient } from './errors/oauth.error';
import { OAuthExceptionFilter } from './errors/oauth-exception.filter';
import { GrantRegistry } from './grants/grant-registry';
import { OAUTH_PATHS } from './oauth-paths';
import { FormParams } from './request/form-params';
import { requestContext } from './request/request-context';
import { TokenResponse } from './tokens/token-response';

/** The token endpoint, RFC 6749 §3.2, as an ordered list of named steps. */
// Protocol endpoint: open to callers without a bearer token (they authenticate otherwise or not at all).
@Public()
@Controller()
@UseFilters(OAuthExceptionFilter)
export class TokenController {
  constructor(
    private readonly clientAuth: ClientAuthenticator,
    private readonly grants: GrantRegistry,
  ) {}

  @Post(OAUTH_PATHS.token)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async token(@Req() req: Request): Promise<TokenResponse> {
    const ctx = requestContext(req);
    // 1. Parse: a form body, no repeated parameters (RFC 6749 §3.1, §3.2).
    const params = FormParams.fromRequest(req);
    // 2. Authenticate the client (§2.3, §3.2.1).
    const client = await this.clientAuth.authenticate(req, params, ctx);
    // 3. The grant must be supported (unsupported_grant_type) and allowed to this client (unauthorized_client).
    const grantType = params.require('grant_type');
    const handler = this.grants.get(grantType);
    if (!client.grantTypes.includes(grantType))
      throw unauthorizedClient(`this client is not allowed the ${grantType} grant`);
    // 4. Dispatch.
    return handler.handle(params, client, ctx);
  }
}
