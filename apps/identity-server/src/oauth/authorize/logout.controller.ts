import { Public } from '@tessera/auth-guard';
import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { renderErrorPage, renderLogoutPage, sendPage } from '../../pages/pages';
import { clearCookie, readCookie } from '../../sessions/cookies';
import { CsrfTokens } from '../../sessions/csrf-tokens';
import { SessionService } from '../../sessions/session.service';
import { SESSION_COOKIE } from './browser-cookies';
import { formField } from './request-pairs';

const CSRF_PURPOSE = 'logout';
export const LOGOUT_PATH = 'logout';

/**
 * Sign-out: `GET /logout` asks for confirmation (a link must not be able to
 * sign anyone out), `POST /logout` with the session's CSRF token ends the
 * session server side and clears the cookie.
 */
// A browser page: no bearer token; the session cookie says who signs out.
@Public()
@Controller(LOGOUT_PATH)
export class LogoutController {
  constructor(
    private readonly sessions: SessionService,
    private readonly csrf: CsrfTokens,
  ) {}

  @Get()
  async confirm(@Req() req: Request, @Res() res: Response): Promise<void> {
    const session = await this.sessions.resolve(readCookie(req, SESSION_COOKIE));
    if (!session) return sendPage(res, 200, renderLogoutPage({ state: 'done' }));
    sendPage(
      res,
      200,
      renderLogoutPage({
        state: 'confirm',
        action: `/${LOGOUT_PATH}`,
        csrfToken: this.csrf.issue(CSRF_PURPOSE, session.id),
      }),
    );
  }

  @Post()
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const session = await this.sessions.resolve(readCookie(req, SESSION_COOKIE));
    const secure = this.sessions.secureCookies;
    if (session) {
      if (!this.csrf.verify(formField(req, 'csrf'), CSRF_PURPOSE, session.id))
        return sendPage(
          res,
          403,
          renderErrorPage({
            title: 'Sign-out not confirmed',
            message: 'The form was not accepted. Open the sign-out page again.',
          }),
        );
      await this.sessions.end(session.id, 'logout', req.ip ?? null);
    }
    clearCookie(res, SESSION_COOKIE, { path: '/', secure });
    sendPage(res, 200, renderLogoutPage({ state: 'done' }));
  }
}
