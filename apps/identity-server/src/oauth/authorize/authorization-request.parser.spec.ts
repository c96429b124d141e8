import { ClientPrincipal } from '../../clients/client.types';
import { ClientsService } from '../../clients/clients.service';
import { AuthorizationError, UntrustedRedirectError } from './authorization-errors';
import { AuthorizationRequestParser, collectParameters } from './authorization-request.parser';

const CLIENT: ClientPrincipal = {
  ref: 'ref-1',
  clientId: 'web-app',
  name: 'Web App',
  status: 'approved',
  firstParty: false,
  grantTypes: ['authorization_code'],
  scopes: ['openid', 'orders:read'],
  redirectUris: ['https://app.example.com/cb', 'https://app.example.com/other'],
  tokensRevokedBefore: null,
};
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function parser(client: ClientPrincipal | null = CLIENT): AuthorizationRequestParser {
  const clients = { findByClientId: () => Promise.resolve(client) };
  return new AuthorizationRequestParser(clients as unknown as ClientsService);
}

function pairs(overrides: Record<string, string | undefined> = {}): Array<[string, string]> {
  const base: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: 'web-app',
    redirect_uri: 'https://app.example.com/cb',
    state: 's',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...overrides,
  };
  return Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined);
}

async function parse(list: Array<[string, string]>, client?: ClientPrincipal | null) {
  const p = parser(client);
  const params = collectParameters(list);
  return p.validate(params, await p.trustedTarget(params));
}

describe('AuthorizationRequestParser (RFC 6749 §4.1.1, §4.1.2.1)', () => {
  it('accepts a complete request; no scope means the granted scopes', async () => {
    await expect(parse(pairs())).resolves.toEqual({
      clientRef: 'ref-1',
      clientId: 'web-app',
      redirectUri: 'https://app.example.com/cb',
      redirectUriSent: true,
      scope: ['openid', 'orders:read'],
      state: 's',
      codeChallenge: CHALLENGE,
      prompt: [],
    });
  });

  it('treats an empty parameter as absent (§3.1)', async () => {
    const request = await parse(pairs({ scope: '', state: '' }));
    expect(request.state).toBeUndefined();
    expect(request.scope).toEqual(['openid', 'orders:read']);
  });

  it.each([
    ['an unknown client', pairs(), null],
    ['a suspended client', pairs(), { ...CLIENT, status: 'suspended' as const }],
    ['a client without the code grant', pairs(), { ...CLIENT, grantTypes: ['client_credentials'] }],
    // A look-alike client_id (other case, trailing space) never comes back from
    // ClientsService.findByClientId: shown on both databases in authorization-code.e2e-spec.
    [
      'an unregistered redirect URI',
      pairs({ redirect_uri: 'https://app.example.com/cb/' }),
      CLIENT,
    ],
    ['no redirect URI with two registered', pairs({ redirect_uri: undefined }), CLIENT],
    [
      'a repeated redirect_uri',
      [...pairs(), ['redirect_uri', 'https://app.example.com/cb']] as Array<[string, string]>,
      CLIENT,
    ],
  ])('does not trust %s', async (_name, list, client) => {
    await expect(parse(list, client)).rejects.toBeInstanceOf(UntrustedRedirectError);
  });

  it.each([
    ['unsupported_response_type', pairs({ response_type: 'code id_token' })],
    ['invalid_request', pairs({ code_challenge_method: 'plain' })],
    ['invalid_request', pairs({ code_challenge_method: undefined })],
    ['invalid_request', pairs({ code_challenge: 'x'.repeat(129) })],
    ['invalid_scope', pairs({ scope: 'openid admin' })],
    ['invalid_scope', pairs({ scope: 'bad"scope' })],
    ['invalid_request', pairs({ prompt: 'none consent' })],
    ['invalid_request', pairs({ prompt: 'whenever' })],
    ['invalid_request', pairs({ max_age: '1.5' })],
    ['invalid_request', pairs({ nonce: 'n'.repeat(513) })],
    ['invalid_request', pairs({ nonce: 'line\nbreak' })],
    ['invalid_request', pairs({ response_mode: 'fragment' })],
    ['request_not_supported', pairs({ request: 'eyJ.x.y' })],
    ['invalid_request', [...pairs(), ['state', 't']] as Array<[string, string]>],
  ])('answers %s', async (code, list) => {
    const error = await parse(list).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorizationError);
    expect((error as AuthorizationError).code).toBe(code);
  });

  it.each([
    ['an unknown prompt value', pairs({ prompt: '<b>"ünïcode"</b>' })],
    ['an ungranted scope', pairs({ scope: 'openid <img/src/onerror=alert(1)>' })],
    [
      'a repeated unknown parameter',
      [...pairs(), ['<i>"x', '1'], ['<i>"x', '2']] as Array<[string, string]>,
    ],
  ])('does not echo %s in error_description (RFC 6749 §4.1.2.1)', async (_name, list) => {
    const error = (await parse(list).catch((e: unknown) => e)) as AuthorizationError;
    expect(error).toBeInstanceOf(AuthorizationError);
    expect(error.description).not.toMatch(/[<>"]|img|ünïcode/);
    expect(error.description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
  });

  it('echoes state only when it was sent once', () => {
    expect(AuthorizationRequestParser.stateOf(collectParameters(pairs()))).toBe('s');
    expect(
      AuthorizationRequestParser.stateOf(collectParameters([...pairs(), ['state', 't']])),
    ).toBeUndefined();
  });

  it('reads prompt and max_age', async () => {
    const request = await parse(pairs({ prompt: 'login consent', max_age: '0', nonce: 'n' }));
    expect(request).toMatchObject({ prompt: ['login', 'consent'], maxAge: 0, nonce: 'n' });
  });
});
