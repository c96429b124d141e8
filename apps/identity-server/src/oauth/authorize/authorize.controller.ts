import { Public } from '@tessera/auth-guard';
import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { renderErrorPage, sendPage } from '../../pages/pages';
import { readCookie, setCookie } from '../../sessions/cookies';
import { SessionService } from '../../sessions/session.service';
import { OAUTH_PATHS } from '../oauth-paths';
import { AuthorizationError, UntrustedRedirectError } from './authorization-errors';
import { AuthorizationRequestParser, collectParameters } from './authorization-request.parser';
import { AuthorizationService } from './authorization.service';
import { BrowserCookieNames, browserCookieNames, interactionPath } from './browser-cookies';
import { INTERACTION_TTL_SECONDS } from './interaction.store';
import { formPairs, queryPairs } from './request-pairs';
import { sendRedirect } from './redirect';

/**
 * The authorization endpoint, RFC 6749 §3.1 and §4.1.1, by GET and by POST
 * (OIDC Core §3.1.2.1), as named steps: collect the parameters, establish the
 * client and redirect URI (or show an error page), validate the rest (or
 * redirect an error), then sign in / consent / answer with a code.
 */
// Protocol endpoint: the browser arrives without a bearer token.
@Public()
@Controller()
export class AuthorizeController {
  private readonly cookies: BrowserCookieNames;

  constructor(
    private readonly parser: AuthorizationRequestParser,
    private readonly flow: AuthorizationService,
    private readonly sessions: SessionService,
    private readonly config: AppConfig,
  ) {
    this.cookies = browserCookieNames(sessions.secureCookies);
  }

  @Get(OAUTH_PATHS.authorization)
  async authorizeByGet(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.authorize(req, res, queryPairs(req), 302);
  }

  @Post(OAUTH_PATHS.authorization)
  async authorizeByPost(@Req() req: Request, @Res() res: Response): Promise<void> {
    // RFC 9700 §4.11: after a POST, 303 so that the browser does not re-post.
    await this.authorize(req, res, formPairs(req), 303);
  }

  private async authorize(
    req: Request,
    res: Response,
    pairs: Array<[string, string]>,
    redirectStatus: 302 | 303,
  ): Promise<void> {
    // 1. Collect: repeats kept, to be refused (RFC 6749 §3.1).
    const params = collectParameters(pairs);
    // 2. The client and the redirect URI: never redirect to an untrusted address (§4.1.2.1).
    let target;
    try {
      target = await this.parser.trustedTarget(params);
    } catch (error) {
      if (!(error instanceof UntrustedRedirectError)) throw error;
      return sendPage(
        res,
        400,
        renderErrorPage({
          title: 'This sign-in request cannot be completed',
          message: error.description,
        }),
      );
    }
    // 3. Everything else: errors go back to the client, with its state.
    let request;
    try {
      request = this.parser.validate(params, target);
    } catch (error) {
      if (!(error instanceof AuthorizationError)) throw error;
      const state = AuthorizationRequestParser.stateOf(params);
      const { location } = this.flow.error(
        { redirectUri: target.redirectUri, state },
        error.code,
        error.description,
      );
      return sendRedirect(res, redirectStatus, location);
    }
    // 4. The session, then sign-in, consent or the code.
    const session = await this.sessions.resolve(readCookie(req, this.cookies.session));
    const decision = await this.flow.decide(request, target.client, session);
    if (decision.kind === 'respond') return sendRedirect(res, redirectStatus, decision.location);
    const path = interactionPath(decision.uid);
    setCookie(res, this.cookies.interaction, decision.binding, {
      path,
      maxAgeSeconds: INTERACTION_TTL_SECONDS,
      secure: this.sessions.secureCookies,
    });
    sendRedirect(res, 303, `${this.config.issuer}${path}`);
  }
}
