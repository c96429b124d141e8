import { Public } from '@tessera/auth-guard';
import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CredentialCheck } from '../../accounts/account.types';
import { AccountsService } from '../../accounts/accounts.service';
import { PasswordChecksBusyError } from '../../accounts/password-checks-busy.error';
import { ClientPrincipal } from '../../clients/client.types';
import { ScopeCatalogueService } from '../../clients/scope-catalogue.service';
import { renderConsentPage, renderErrorPage, renderLoginPage, sendPage } from '../../pages/pages';
import { CsrfTokens } from '../../sessions/csrf-tokens';
import { clearCookie, readCookie, setCookie } from '../../sessions/cookies';
import { BrowserSession, SessionService } from '../../sessions/session.service';
import { BAD_CREDENTIALS } from '../grants/password.grant';
import { AuthorizationService, InteractionOutcome } from './authorization.service';
import {
  BrowserCookieNames,
  browserCookieNames,
  INTERACTION_PATH,
  interactionPath,
} from './browser-cookies';
import { Interaction, InteractionStore } from './interaction.store';
import { formField } from './request-pairs';
import { sendRedirect } from './redirect';

const CSRF_PURPOSE = 'interaction';

/** Shown when too many sign-ins are being checked at once (the password grant answers 503 too). */
const SIGN_IN_BUSY = 'Too many people are signing in right now. Wait a few seconds and try again.';

type Resolved = { interaction: Interaction; client: ClientPrincipal; binding: string };

/**
 * The pages of a pending authorization request: `GET /interaction/{uid}`
 * shows the step the request waits for (login, then consent), and the two
 * forms post to `/interaction/{uid}/login` and `/interaction/{uid}/consent`.
 * Every POST needs the interaction cookie of the browser that started it and
 * the CSRF token of its form; a failed check answers 403 and changes nothing.
 */
// Browser pages: no bearer token; authenticated by the interaction cookie and the session.
@Public()
@Controller(INTERACTION_PATH)
export class InteractionController {
  private readonly cookies: BrowserCookieNames;

  constructor(
    private readonly interactions: InteractionStore,
    private readonly flow: AuthorizationService,
    private readonly sessions: SessionService,
    private readonly accounts: AccountsService,
    private readonly catalogue: ScopeCatalogueService,
    private readonly csrf: CsrfTokens,
  ) {
    this.cookies = browserCookieNames(sessions.secureCookies);
  }

  @Get(':uid')
  async show(@Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const resolved = await this.resolve(uid, req, res);
    if (!resolved) return;
    const { interaction } = resolved;
    if (interaction.userId === null) return this.loginPage(res, resolved, 200);
    const session = await this.boundSession(req, res, interaction);
    if (!session) return;
    return this.consentPage(res, resolved, session);
  }

  @Post(':uid/login')
  async login(@Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const resolved = await this.resolve(uid, req, res, true);
    if (!resolved) return;
    const { interaction, client } = resolved;
    if (interaction.userId !== null) return sendRedirect(res, 303, interactionPath(uid));

    const username = formField(req, 'username');
    const password = formField(req, 'password');
    if (!username || !password)
      return this.loginPage(res, resolved, 400, username, 'Enter your username and password.');
    // The same check as the password grant: lockout, one bcrypt per attempt, one message.
    let check: CredentialCheck;
    try {
      check = await this.accounts.verifyPassword(username, password, req.ip);
    } catch (error) {
      // A flood of sign-ins filled the password checker's queue: nothing was
      // checked or counted; the user may simply send the form again.
      if (!(error instanceof PasswordChecksBusyError)) throw error;
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      return this.loginPage(res, resolved, 503, username, SIGN_IN_BUSY);
    }
    if (!check.ok) return this.loginPage(res, resolved, 401, username, BAD_CREDENTIALS);

    // A new session id at every sign-in (no fixation); the browser's previous one ends.
    const started = await this.sessions.start(
      check,
      readCookie(req, this.cookies.session),
      req.ip ?? null,
      client,
    );
    if (!started) return this.loginPage(res, resolved, 401, username, BAD_CREDENTIALS);
    setCookie(res, this.cookies.session, started.cookie, {
      path: '/',
      maxAgeSeconds: started.maxAgeSeconds,
      secure: this.sessions.secureCookies,
    });
    // A cookie from before the prefixed names is never read again: expire it (host-only, Path=/).
    const unprefixed = this.cookies.unprefixedSession;
    if (unprefixed && readCookie(req, unprefixed) !== undefined)
      clearCookie(res, unprefixed, { path: '/', secure: true });
    this.finish(res, uid, await this.flow.afterLogin(interaction, client, started.session));
  }

  @Post(':uid/consent')
  async consent(
    @Param('uid') uid: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const resolved = await this.resolve(uid, req, res, true);
    if (!resolved) return;
    const { interaction } = resolved;
    if (interaction.userId === null) return sendRedirect(res, 303, interactionPath(uid));
    const session = await this.boundSession(req, res, interaction);
    if (!session) return;
    const decision = formField(req, 'decision');
    if (decision !== 'allow' && decision !== 'deny')
      return this.errorPage(res, 400, 'Choose whether to allow access or not.');

    const allowed = decision === 'allow';
    this.finish(
      res,
      uid,
      await this.flow.afterConsent(interaction, session, allowed, req.ip ?? null),
    );
  }

  /** 303 after the POST: to the consent page, or back to the client (RFC 9700 §4.11). */
  private finish(res: Response, uid: string, outcome: InteractionOutcome): void {
    if (outcome.kind === 'gone') return this.gone(res);
    sendRedirect(res, 303, outcome.kind === 'consent' ? interactionPath(uid) : outcome.location);
  }

  /**
   * The live interaction, bound to this browser, with its client still
   * allowed; for a POST also the form's CSRF token. Otherwise writes the
   * error page and returns null.
   */
  private async resolve(
    uid: string,
    req: Request,
    res: Response,
    isPost = false,
  ): Promise<Resolved | null> {
    const binding = readCookie(req, this.cookies.interaction);
    const found = await this.interactions.find(uid, binding);
    if (!found.ok) {
      if (found.reason === 'foreign') {
        this.errorPage(
          res,
          403,
          'This sign-in was started in another browser. Go back to the application and start again.',
        );
      } else this.gone(res);
      return null;
    }
    if (isPost && !this.csrf.verify(formField(req, 'csrf'), CSRF_PURPOSE, uid, binding!)) {
      this.errorPage(
        res,
        403,
        'The form was not accepted. Go back to the application and start again.',
      );
      return null;
    }
    const client = await this.flow.clientFor(found.interaction.request);
    if (!client) {
      this.errorPage(res, 400, 'The application can no longer sign users in.');
      return null;
    }
    return { interaction: found.interaction, client, binding: binding! };
  }

  /** The browser's session, if it is still the one this interaction was signed in with. */
  private async boundSession(
    req: Request,
    res: Response,
    interaction: Interaction,
  ): Promise<BrowserSession | null> {
    const session = await this.sessions.resolve(readCookie(req, this.cookies.session));
    if (!session || session.id !== interaction.sessionId) {
      this.errorPage(res, 400, 'Your session ended. Go back to the application and sign in again.');
      return null;
    }
    return session;
  }

  private loginPage(
    res: Response,
    { interaction, client, binding }: Resolved,
    status: number,
    username?: string,
    error?: string,
  ): void {
    sendPage(
      res,
      status,
      renderLoginPage({
        action: `${interactionPath(interaction.uid)}/login`,
        csrfToken: this.csrf.issue(CSRF_PURPOSE, interaction.uid, binding),
        clientName: client.name,
        ...(username !== undefined ? { username } : {}),
        ...(error !== undefined ? { error } : {}),
      }),
      { formActionOrigins: [new URL(interaction.request.redirectUri).origin] },
    );
  }

  private async consentPage(
    res: Response,
    { interaction, client, binding }: Resolved,
    session: BrowserSession,
  ): Promise<void> {
    const catalogue = await this.catalogue.list();
    const scopes = interaction.request.scope.map((name) => ({
      name,
      description: catalogue.find((scope) => scope.name === name)?.description ?? name,
    }));
    sendPage(
      res,
      200,
      renderConsentPage({
        action: `${interactionPath(interaction.uid)}/consent`,
        csrfToken: this.csrf.issue(CSRF_PURPOSE, interaction.uid, binding),
        clientName: client.name,
        username: session.user.username,
        scopes,
      }),
      { formActionOrigins: [new URL(interaction.request.redirectUri).origin] },
    );
  }

  private gone(res: Response): void {
    this.errorPage(
      res,
      400,
      'This sign-in request has expired or was already completed. Go back to the application and start again.',
    );
  }

  private errorPage(res: Response, status: number, message: string): void {
    sendPage(res, status, renderErrorPage({ title: 'Sign-in cannot continue', message }));
  }
}
