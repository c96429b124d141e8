import { Public } from '@tessera/auth-guard';
import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { renderErrorPage, renderLogoutPage, sendPage } from '../../pages/pages';
import { clearCookie, readCookie } from '../../sessions/cookies';
import { CsrfTokens } from '../../sessions/csrf-tokens';
import { SessionService } from '../../sessions/session.service';
import { OAUTH_PATHS } from '../oauth-paths';
import { responseLocation } from './authorization-response';
import { BrowserCookieNames, browserCookieNames } from './browser-cookies';
import { LogoutRequestParser, LogoutReturn } from './logout-request.parser';
import { formField, queryPairs } from './request-pairs';
import { sendRedirect } from './redirect';

const CSRF_PURPOSE = 'logout';

/**
 * Sign-out: `GET /logout` asks for confirmation (a link must not be able to
 * sign anyone out), `POST /logout` with the session's CSRF token ends the
 * session server side and clears the cookie. An application may send the
 * browser here with `client_id` (or `id_token_hint`),
 * `post_logout_redirect_uri` and `state` (OIDC RP-Initiated Logout 1.0):
 * the validated parameters ride on the form's action, and after sign-out the
 * browser goes back to the application.
 */
// A browser page: no bearer token; the session cookie says who signs out.
@Public()
@Controller(OAUTH_PATHS.endSession)
export class LogoutController {
  private readonly cookies: BrowserCookieNames;

  constructor(
    private readonly sessions: SessionService,
    private readonly csrf: CsrfTokens,
    private readonly parser: LogoutRequestParser,
  ) {
    this.cookies = browserCookieNames(sessions.secureCookies);
  }

  @Get()
  async confirm(@Req() req: Request, @Res() res: Response): Promise<void> {
    const request = await this.parser.parse(queryPairs(req));
    if (!request.ok) return this.refuse(res, 400, request.problem);
    const session = await this.sessions.resolve(readCookie(req, this.cookies.session));
    if (!session) return this.finish(res, request.back);
    sendPage(
      res,
      200,
      renderLogoutPage({
        state: 'confirm',
        action: actionFor(request.back),
        csrfToken: this.csrf.issue(CSRF_PURPOSE, session.id),
        username: session.user.username,
      }),
      // Chromium applies form-action to the redirect after the POST: allow the application's origin.
      {
        formActionOrigins: request.back ? [new URL(request.back.postLogoutRedirectUri).origin] : [],
      },
    );
  }

  @Post()
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const request = await this.parser.parse(queryPairs(req));
    if (!request.ok) return this.refuse(res, 400, request.problem);
    const session = await this.sessions.resolve(readCookie(req, this.cookies.session));
    if (session) {
      if (!this.csrf.verify(formField(req, 'csrf'), CSRF_PURPOSE, session.id))
        return this.refuse(res, 403, 'The form was not accepted. Open the sign-out page again.');
      await this.sessions.end(session.id, 'logout', req.ip ?? null);
    }
    clearCookie(res, this.cookies.session, { path: '/', secure: this.sessions.secureCookies });
    this.finish(res, request.back);
  }

  /** Signed out: back to the application when it asked (303 after a POST), else the page says so. */
  private finish(res: Response, back: LogoutReturn | undefined): void {
    if (back)
      return sendRedirect(
        res,
        303,
        responseLocation(back.postLogoutRedirectUri, { state: back.state }),
      );
    sendPage(res, 200, renderLogoutPage({ state: 'done' }));
  }

  private refuse(res: Response, status: number, message: string): void {
    sendPage(res, status, renderErrorPage({ title: 'Sign-out cannot continue', message }));
  }
}

/** The form's action: `/logout`, with the validated return parameters when there are. */
function actionFor(back: LogoutReturn | undefined): string {
  if (!back) return `/${OAUTH_PATHS.endSession}`;
  const query = new URLSearchParams({
    client_id: back.clientId,
    post_logout_redirect_uri: back.postLogoutRedirectUri,
    ...(back.state ? { state: back.state } : {}),
  });
  return `/${OAUTH_PATHS.endSession}?${query.toString()}`;
}
