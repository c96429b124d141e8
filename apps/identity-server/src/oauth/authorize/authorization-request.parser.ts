import { Injectable } from '@nestjs/common';
import { ClientPrincipal } from '../../clients/client.types';
import { ClientsService } from '../../clients/clients.service';
import { parseScope } from '../../clients/scope';
import { AuthorizationError, UntrustedRedirectError } from './authorization-errors';
import { PendingAuthorization } from './pending-authorization';
import { isWellFormedS256Challenge, PKCE_METHOD } from './pkce';

const PROMPT_VALUES = new Set(['none', 'login', 'consent', 'select_account']);
const MAX_STATE_LENGTH = 1024;
const MAX_NONCE_LENGTH = 512;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * The parameters this endpoint reads: the only names an error description
 * may repeat. Error descriptions go back to the client, which may show them;
 * text chosen by whoever crafted the request (an unknown name or prompt value,
 * a scope token) is never echoed, and what is echoed stays within RFC 6749
 * §4.1.2.1's character set.
 */
const KNOWN_PARAMETERS = new Set([
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'nonce',
  'prompt',
  'max_age',
  'response_mode',
  'request',
  'request_uri',
]);

/** The raw parameters of one authorization request, repeats kept (to be refused). */
export type RawParameters = Map<string, string[]>;

/** Query or form pairs → parameters; an empty value counts as absent (RFC 6749 §3.1). */
export function collectParameters(pairs: Iterable<[string, string]>): RawParameters {
  const params: RawParameters = new Map();
  for (const [name, value] of pairs) {
    if (value === '') continue;
    params.set(name, [...(params.get(name) ?? []), value]);
  }
  return params;
}

/**
 * Validates an authorization request in the order RFC 6749 §4.1.2.1 needs:
 * first what decides whether the client can be redirected to at all
 * (`client_id`, `redirect_uri`), whose failures are {@link UntrustedRedirectError};
 * then everything else, whose failures are {@link AuthorizationError} and go
 * back to the client. `state` is read as early as possible so that errors
 * can echo it.
 */
@Injectable()
export class AuthorizationRequestParser {
  constructor(private readonly clients: ClientsService) {}

  /** The client and redirect URI, trusted; throws {@link UntrustedRedirectError}. */
  async trustedTarget(
    params: RawParameters,
  ): Promise<{ client: ClientPrincipal; redirectUri: string; redirectUriSent: boolean }> {
    const clientId = single(params, 'client_id');
    if (clientId === undefined) throw new UntrustedRedirectError('the request names no client');
    // Exact match (findByClientId checks it: MariaDB's comparison would let `app ` find `app`).
    const client = await this.clients.findByClientId(clientId);
    if (!client || client.status !== 'approved')
      throw new UntrustedRedirectError('the application is unknown or not approved');
    if (!client.grantTypes.includes('authorization_code'))
      throw new UntrustedRedirectError('the application may not sign users in this way');

    const sent = single(params, 'redirect_uri');
    if (sent !== undefined) {
      // RFC 9700 §4.1.3: simple string comparison, nothing normalised.
      if (!client.redirectUris.includes(sent))
        throw new UntrustedRedirectError(
          'the redirect address is not one registered for the application',
        );
      return { client, redirectUri: sent, redirectUriSent: true };
    }
    // RFC 6749 §3.1.2.3: without redirect_uri, only an unambiguous registration will do.
    if (client.redirectUris.length !== 1)
      throw new UntrustedRedirectError('the request names no redirect address');
    return { client, redirectUri: client.redirectUris[0], redirectUriSent: false };
  }

  /** The `state` to echo in an error response, when it is unambiguous. */
  static stateOf(params: RawParameters): string | undefined {
    const values = params.get('state');
    return values?.length === 1 && values[0].length <= MAX_STATE_LENGTH ? values[0] : undefined;
  }

  /** Everything after the target is trusted; throws {@link AuthorizationError}. */
  validate(
    params: RawParameters,
    target: { client: ClientPrincipal; redirectUri: string; redirectUriSent: boolean },
  ): PendingAuthorization {
    for (const [name, values] of params)
      if (values.length > 1)
        throw new AuthorizationError(
          'invalid_request',
          KNOWN_PARAMETERS.has(name) ? `parameter ${name} is repeated` : 'a parameter is repeated',
        );
    const get = (name: string) => params.get(name)?.[0];

    if (get('request') !== undefined)
      throw new AuthorizationError('request_not_supported', 'request objects are not supported');
    if (get('request_uri') !== undefined)
      throw new AuthorizationError('request_uri_not_supported', 'request_uri is not supported');

    const responseType = get('response_type');
    if (responseType === undefined)
      throw new AuthorizationError('invalid_request', 'parameter response_type is missing');
    if (responseType !== 'code')
      throw new AuthorizationError(
        'unsupported_response_type',
        'only response_type=code is supported',
      );
    const responseMode = get('response_mode');
    if (responseMode !== undefined && responseMode !== 'query')
      throw new AuthorizationError('invalid_request', 'only response_mode=query is supported');

    const state = get('state');
    if (state !== undefined && state.length > MAX_STATE_LENGTH)
      throw new AuthorizationError('invalid_request', 'state is too long');

    // RFC 7636 §4.4.1, RFC 9700 §2.1.1: PKCE with S256 for every client.
    const codeChallenge = get('code_challenge');
    if (codeChallenge === undefined)
      throw new AuthorizationError('invalid_request', 'code_challenge is required (PKCE)');
    const method = get('code_challenge_method');
    if (method !== PKCE_METHOD)
      throw new AuthorizationError('invalid_request', 'code_challenge_method must be S256');
    if (!isWellFormedS256Challenge(codeChallenge))
      throw new AuthorizationError('invalid_request', 'code_challenge is malformed');

    const scope = requestedScope(get('scope'), target.client.scopes);
    const prompt = parsePrompt(get('prompt'));

    const maxAgeText = get('max_age');
    if (maxAgeText !== undefined && !/^\d{1,9}$/.test(maxAgeText))
      throw new AuthorizationError('invalid_request', 'max_age must be a number of seconds');
    const nonce = get('nonce');
    if (nonce !== undefined && nonce.length > MAX_NONCE_LENGTH)
      throw new AuthorizationError('invalid_request', 'nonce is too long');
    // It travels into ID tokens, logs and the sealed refresh envelope, where a
    // control character would be escaped six times its size: none is needed.
    if (nonce !== undefined && CONTROL_CHARACTER.test(nonce))
      throw new AuthorizationError('invalid_request', 'nonce has a control character');

    return {
      clientRef: target.client.ref,
      clientId: target.client.clientId,
      redirectUri: target.redirectUri,
      redirectUriSent: target.redirectUriSent,
      scope,
      ...(state !== undefined ? { state } : {}),
      codeChallenge,
      ...(nonce !== undefined ? { nonce } : {}),
      prompt,
      ...(maxAgeText !== undefined ? { maxAge: Number(maxAgeText) } : {}),
    };
  }
}

/** The parameter's one value; a repeated trust-deciding parameter is untrusted. */
function single(params: RawParameters, name: string): string | undefined {
  const values = params.get(name);
  if (values && values.length > 1)
    throw new UntrustedRedirectError(`parameter ${name} is repeated`);
  return values?.[0];
}

/** RFC 6749 §3.3: none means the client's granted scopes; more than those is invalid_scope. */
function requestedScope(requested: string | undefined, allowed: string[]): string[] {
  if (requested === undefined) {
    if (allowed.length === 0)
      throw new AuthorizationError('invalid_scope', 'the application was granted no scope');
    return allowed;
  }
  const tokens = parseScope(requested);
  if (!tokens || tokens.length === 0)
    throw new AuthorizationError('invalid_scope', 'the scope parameter is malformed');
  if (tokens.some((token) => !allowed.includes(token)))
    throw new AuthorizationError(
      'invalid_scope',
      'the request asks for a scope the application was not granted',
    );
  return tokens;
}

/** OIDC Core §3.1.2.1: known values only; `none` alone. */
function parsePrompt(prompt: string | undefined): string[] {
  if (prompt === undefined) return [];
  const values = [...new Set(prompt.split(' ').filter(Boolean))];
  if (values.some((value) => !PROMPT_VALUES.has(value)))
    throw new AuthorizationError(
      'invalid_request',
      'prompt has a value other than none, login, consent, select_account',
    );
  if (values.includes('none') && values.length > 1)
    throw new AuthorizationError(
      'invalid_request',
      'prompt=none cannot be combined with other values',
    );
  return values;
}
