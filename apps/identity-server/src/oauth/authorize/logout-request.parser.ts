import { Injectable } from '@nestjs/common';
import { ClientsService } from '../../clients/clients.service';
import { AppConfig } from '../../config/app-config';
import { JwtSigner } from '../../keys/jwt-signer';
import { ID_TOKEN_TYPE } from '../oidc/id-token.issuer';
import { collectParameters } from './authorization-request.parser';

/** Where to send the browser after logout (OIDC RP-Initiated Logout 1.0 §2-3), once validated. */
export interface LogoutReturn {
  clientId: string;
  postLogoutRedirectUri: string;
  state?: string;
}

export type LogoutRequest = { ok: true; back?: LogoutReturn } | { ok: false; problem: string };

/** The names a problem may repeat: the page never shows text chosen by whoever made the link. */
const KNOWN_PARAMETERS = new Set([
  'client_id',
  'id_token_hint',
  'post_logout_redirect_uri',
  'state',
]);

/**
 * RP-initiated logout parameters: the client is named by `client_id` or by
 * the audience of an `id_token_hint` we signed (both, if given, must agree),
 * and `post_logout_redirect_uri` must be exactly one of that client's
 * registered redirect URIs, or nobody is redirected anywhere.
 */
@Injectable()
export class LogoutRequestParser {
  constructor(
    private readonly clients: ClientsService,
    private readonly signer: JwtSigner,
    private readonly config: AppConfig,
  ) {}

  async parse(pairs: Array<[string, string]>): Promise<LogoutRequest> {
    const params = collectParameters(pairs);
    for (const [name, values] of params)
      if (values.length > 1)
        return {
          ok: false,
          problem: KNOWN_PARAMETERS.has(name)
            ? `parameter ${name} is repeated`
            : 'a parameter is repeated',
        };
    const get = (name: string) => params.get(name)?.[0];
    const redirectUri = get('post_logout_redirect_uri');
    if (redirectUri === undefined) return { ok: true };

    let clientId = get('client_id');
    const hint = get('id_token_hint');
    if (hint !== undefined) {
      const audience = await this.audienceOf(hint);
      if (!audience) return { ok: false, problem: 'the id_token_hint is not valid' };
      if (clientId !== undefined && clientId !== audience)
        return { ok: false, problem: 'the id_token_hint was issued to another client' };
      clientId = audience;
    }
    if (clientId === undefined)
      return { ok: false, problem: 'the request does not say which application it comes from' };
    const found = await this.clients.findByClientId(clientId);
    const client = found?.status === 'approved' ? found : null;
    if (!client || !client.redirectUris.includes(redirectUri))
      return {
        ok: false,
        problem: 'the address to return to is not one registered for the application',
      };
    const state = get('state');
    return {
      ok: true,
      back: { clientId, postLogoutRedirectUri: redirectUri, ...(state ? { state } : {}) },
    };
  }

  /** The single audience of an ID token we signed, or null (an expired one is still a valid hint only until it expires). */
  private async audienceOf(idToken: string): Promise<string | null> {
    try {
      const claims = await this.signer.verify(idToken, {
        typ: ID_TOKEN_TYPE,
        issuer: this.config.issuer,
      });
      return typeof claims.aud === 'string' ? claims.aud : null;
    } catch {
      return null;
    }
  }
}
