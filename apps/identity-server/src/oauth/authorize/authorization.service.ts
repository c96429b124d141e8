import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import { ClientPrincipal } from '../../clients/client.types';
import { ClientsService } from '../../clients/clients.service';
import { AppConfig } from '../../config/app-config';
import { BrowserSession } from '../../sessions/session.service';
import { AuthorizationErrorCode } from './authorization-errors';
import { responseLocation } from './authorization-response';
import { AuthorizationCodeStore } from './authorization-code.store';
import { ConsentStore } from './consent.store';
import { Interaction, InteractionStore } from './interaction.store';
import { PendingAuthorization } from './pending-authorization';

/** What the authorization endpoint does next. */
export type AuthorizationDecision =
  { kind: 'respond'; location: string } | { kind: 'interact'; uid: string; binding: string };

/** What an interaction step leads to; `gone` when the interaction was finished meanwhile. */
export type InteractionOutcome =
  { kind: 'respond'; location: string } | { kind: 'consent' } | { kind: 'gone' };

/**
 * The decisions of the browser flow once a request is valid: whether the
 * user must sign in (no session, `prompt=login`, `max_age` exceeded) or
 * consent (a third-party client, scopes not consented yet, `prompt=consent`),
 * `prompt=none` answering instead of asking, and the code at the end.
 */
@Injectable()
export class AuthorizationService {
  constructor(
    private readonly codes: AuthorizationCodeStore,
    private readonly consents: ConsentStore,
    private readonly interactions: InteractionStore,
    private readonly clients: ClientsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async decide(
    request: PendingAuthorization,
    client: ClientPrincipal,
    session: BrowserSession | null,
  ): Promise<AuthorizationDecision> {
    const login = this.loginNeeded(request, session);
    if (request.prompt.includes('none')) {
      // OIDC Core §3.1.2.6: never show a page; say what would have been needed.
      if (login || !session) return this.error(request, 'login_required', 'the user must sign in');
      if (await this.consentNeeded(request, client, session.userId))
        return this.error(request, 'consent_required', 'the user must consent');
      return this.respond(request, session.userId, session.authTime, session.id);
    }
    if (login || !session) return this.interact(request);
    if (await this.consentNeeded(request, client, session.userId))
      return this.interact(request, session);
    return this.respond(request, session.userId, session.authTime, session.id);
  }

  /** A pending interaction: the login page, or (the user known from `session`) the consent page. */
  private async interact(
    request: PendingAuthorization,
    session?: BrowserSession,
  ): Promise<AuthorizationDecision> {
    const known = session && signedInAs(session);
    return { kind: 'interact', ...(await this.interactions.create(request, known)) };
  }

  /** No session, `prompt=login` (or `select_account`), or the sign-in older than `max_age`. */
  private loginNeeded(request: PendingAuthorization, session: BrowserSession | null): boolean {
    if (!session) return true;
    if (request.prompt.includes('login') || request.prompt.includes('select_account')) return true;
    return (
      request.maxAge !== undefined &&
      Date.now() - session.authTime.getTime() >= request.maxAge * 1000
    );
  }

  /**
   * The login step is done (the user signed in, `session` is new): records
   * it on the interaction, then asks for consent or answers with the code.
   */
  async afterLogin(
    interaction: Interaction,
    client: ClientPrincipal,
    session: BrowserSession,
  ): Promise<InteractionOutcome> {
    if (!(await this.interactions.completeLogin(interaction.uid, signedInAs(session))))
      return { kind: 'gone' };
    if (await this.consentNeeded(interaction.request, client, session.userId))
      return { kind: 'consent' };
    if (!(await this.interactions.consume(interaction.uid))) return { kind: 'gone' };
    return this.respond(interaction.request, session.userId, session.authTime, session.id);
  }

  /** The user allowed or denied: finishes the interaction; a consent is remembered and audited. */
  async afterConsent(
    interaction: Interaction,
    session: BrowserSession,
    allowed: boolean,
    ip: string | null,
  ): Promise<InteractionOutcome> {
    if (!(await this.interactions.consume(interaction.uid))) return { kind: 'gone' };
    const { request } = interaction;
    if (!allowed) return this.error(request, 'access_denied', 'the user denied access');
    await this.recordConsent(request, session.userId, ip);
    return this.respond(
      request,
      session.userId,
      interaction.authTime ?? session.authTime,
      session.id,
    );
  }

  /** First-party clients never ask; others ask for scopes not consented yet, or when told to. */
  private async consentNeeded(
    request: PendingAuthorization,
    client: ClientPrincipal,
    userId: string,
  ): Promise<boolean> {
    if (client.firstParty) return false;
    if (request.prompt.includes('consent')) return true;
    return !(await this.consents.covers(userId, client.ref, request.scope));
  }

  /** The client, if it may still take part in the flow (approved, allowed the code grant). */
  async clientFor(request: PendingAuthorization): Promise<ClientPrincipal | null> {
    const client = await this.clients.findByRef(request.clientRef);
    return client?.status === 'approved' && client.grantTypes.includes('authorization_code')
      ? client
      : null;
  }

  private async recordConsent(
    request: PendingAuthorization,
    userId: string,
    ip: string | null,
  ): Promise<void> {
    await this.consents.grant(userId, request.clientRef, request.scope);
    await this.audit.record({
      type: 'consent.granted',
      actorId: userId,
      subjectId: userId,
      clientId: request.clientId,
      clientRef: request.clientRef,
      ip,
      details: { scope: request.scope.join(' ') },
    });
  }

  /** Issues the code and answers the client (RFC 6749 §4.1.2). */
  async respond(
    request: PendingAuthorization,
    userId: string,
    authTime: Date,
    sessionId: string | null,
  ): Promise<{ kind: 'respond'; location: string }> {
    const code = await this.codes.issue({
      clientRef: request.clientRef,
      userId,
      redirectUri: request.redirectUriSent ? request.redirectUri : '',
      codeChallenge: request.codeChallenge,
      scope: request.scope.join(' '),
      nonce: request.nonce,
      authTime,
      sessionId,
    });
    return {
      kind: 'respond',
      location: responseLocation(request.redirectUri, {
        code,
        state: request.state,
        iss: this.config.issuer,
      }),
    };
  }

  /** An error response to the client (RFC 6749 §4.1.2.1, with `iss` per RFC 9207). */
  error(
    target: { redirectUri: string; state?: string },
    code: AuthorizationErrorCode,
    description: string,
  ): { kind: 'respond'; location: string } {
    return {
      kind: 'respond',
      location: responseLocation(target.redirectUri, {
        error: code,
        error_description: description,
        state: target.state,
        iss: this.config.issuer,
      }),
    };
  }
}

/** Who an interaction is signed in as, taken from the browser session. */
function signedInAs(session: BrowserSession): {
  userId: string;
  sessionId: string;
  authTime: Date;
} {
  return { userId: session.userId, sessionId: session.id, authTime: session.authTime };
}
