import { BearerChallengeException, Public } from '@tessera/auth-guard';
import { Controller, Get, Header, HttpCode, Post, Req, UseFilters } from '@nestjs/common';
import type { Request } from 'express';
import { BearerChallengeFilter } from './bearer-challenge.filter';
import { bearerToken, USERINFO_REALM } from './bearer-token';
import { OIDC_PATHS } from './oidc-paths';
import { UserinfoService } from './userinfo.service';

/**
 * The UserInfo endpoint, OpenID Connect Core 1.0 §5.3: GET or POST (§5.3.1)
 * with a bearer access token; answers JSON (`sub` and the claims of the
 * token's scope), errors as RFC 6750 §3 challenges.
 */
// Protocol endpoint: it checks the bearer token itself (any client's active token, RFC 6750 challenges of its own).
@Public()
@Controller()
@UseFilters(BearerChallengeFilter)
export class UserinfoController {
  constructor(private readonly userinfo: UserinfoService) {}

  @Get(OIDC_PATHS.userinfo)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  get(@Req() req: Request): Promise<Record<string, unknown>> {
    return this.answer(req);
  }

  @Post(OIDC_PATHS.userinfo)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  post(@Req() req: Request): Promise<Record<string, unknown>> {
    return this.answer(req);
  }

  private answer(req: Request): Promise<Record<string, unknown>> {
    const token = bearerToken(req);
    // RFC 6750 §3.1: a request without a token gets the challenge without an error code.
    if (token === null) throw new BearerChallengeException(USERINFO_REALM);
    return this.userinfo.claimsFor(token);
  }
}
