import { DATABASES } from './support/databases';
import {
  createClient,
  createUser,
  introspect,
  passwordTokens,
  revoke,
  setColumn,
  TestClient as Client,
  TestUser as User,
} from './support/fixtures';
import { basic, decodeJwt, HttpResult, postForm, postRaw, tokenRequest } from './support/http';
import { CONSOLE, startServerOnNewDatabase, TestServer } from './support/test-server';

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
}

const INACTIVE = { active: false };

describe.each(DATABASES)('revocation (RFC 7009) and introspection (RFC 7662) on %s', (kind) => {
  let server: TestServer;
  /** A resource server: approved, but holding no tokens of its own. */
  let resourceServer: Client;

  beforeAll(async () => {
    server = await startServerOnNewDatabase(kind);
    resourceServer = await createClient(server, { grantTypes: ['client_credentials'] });
  });
  afterAll(() => server?.close());

  async function signIn(client: Client, user: User): Promise<Tokens> {
    const tokens = await passwordTokens(server, client, user);
    expect(typeof tokens.refresh_token).toBe('string');
    return tokens as Tokens;
  }

  function revokeAs(client: Client, token: string, hint?: string): Promise<HttpResult> {
    return revoke(server, token, { as: client, hint });
  }

  function refresh(client: Client, refreshToken: string): Promise<HttpResult> {
    return tokenRequest(server.url, client, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
  }

  /** RFC 7009 §2.2: 200 whatever happened, and nothing in the body worth reading. */
  function expectRevokeAnswer(res: HttpResult) {
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({});
  }

  /** RFC 7662 §2.2: an inactive token is described by `active: false` and nothing else. */
  async function expectInactive(client: Client, token: string, hint?: string) {
    const res = await introspect(server, token, { as: client, hint });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual(INACTIVE);
  }

  async function expectActive(client: Client, token: string) {
    const res = await introspect(server, token, { as: client });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(true);
  }

  describe('introspection', () => {
    it('describes a fresh access token to any approved client, with no-store', async () => {
      const user = await createUser(server);
      const tokens = await signIn(CONSOLE, user);
      const claims = decodeJwt(tokens.access_token).payload;

      for (const caller of [CONSOLE, resourceServer]) {
        const res = await introspect(server, tokens.access_token, { as: caller });
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.body).toEqual({
          active: true,
          token_type: 'Bearer',
          scope: 'orders:read orders:write',
          client_id: CONSOLE.clientId,
          username: user.username,
          sub: user.id,
          exp: claims.exp,
          iat: claims.iat,
          iss: server.config.issuer,
          aud: 'tessera',
          jti: claims.jti,
        });
        expect(res.body.exp).toBe((res.body.iat as number) + 900);
      }
      // The hint is only a hint (RFC 7662 §2.1): a wrong one still finds the token.
      const misHinted = await introspect(server, tokens.access_token, {
        as: resourceServer,
        hint: 'refresh_token',
      });
      expect(misHinted.body).toMatchObject({ active: true, token_type: 'Bearer', jti: claims.jti });
    });

    it('describes a refresh token only to the client it was issued to', async () => {
      const user = await createUser(server);
      const tokens = await signIn(CONSOLE, user);

      const own = await introspect(server, tokens.refresh_token, { as: CONSOLE });
      expect(own.status).toBe(200);
      expect(own.body).toEqual({
        active: true,
        token_type: 'refresh_token',
        scope: 'orders:read orders:write',
        client_id: CONSOLE.clientId,
        username: user.username,
        sub: user.id,
        exp: expect.any(Number),
        iat: expect.any(Number),
      });
      expect(own.body.exp).toBe((own.body.iat as number) + 2592000);
      // The hint is only a hint (RFC 7662 §2.1): a wrong one still finds the token.
      expect(
        (await introspect(server, tokens.refresh_token, { as: CONSOLE, hint: 'access_token' })).body
          .active,
      ).toBe(true);

      await expectInactive(resourceServer, tokens.refresh_token);
      await expectInactive(resourceServer, tokens.refresh_token, 'refresh_token');

      // Introspection never consumes the token.
      expect((await refresh(CONSOLE, tokens.refresh_token)).status).toBe(200);
      await expectInactive(CONSOLE, tokens.refresh_token);
    });

    it('answers garbage, a tampered JWT and a disabled user’s access token with exactly {active: false}', async () => {
      const user = await createUser(server);
      const tokens = await signIn(CONSOLE, user);

      await expectInactive(resourceServer, 'garbage');
      await expectInactive(resourceServer, 'a.b.c');

      const [header, payload, signature] = tokens.access_token.split('.');
      const i = 10;
      const flipped = payload[i] === 'A' ? 'B' : 'A';
      const tampered = [
        header,
        payload.slice(0, i) + flipped + payload.slice(i + 1),
        signature,
      ].join('.');
      expect(tampered).not.toBe(tokens.access_token);
      await expectInactive(resourceServer, tampered);
      await expectInactive(resourceServer, tampered, 'access_token');

      await expectActive(resourceServer, tokens.access_token);
      await setColumn(server, 'users', user.id, 'status', 'disabled');
      await expectInactive(resourceServer, tokens.access_token);
      await expectInactive(CONSOLE, tokens.refresh_token);
    });

    it('answers a suspended client’s access tokens as inactive', async () => {
      const client = await createClient(server, { grantTypes: ['password', 'refresh_token'] });
      const user = await createUser(server);
      const tokens = await signIn(client, user);
      await expectActive(resourceServer, tokens.access_token);

      await setColumn(server, 'clients', client.ref, 'status', 'suspended');
      await expectInactive(resourceServer, tokens.access_token);
    });
  });

  describe('revocation', () => {
    it('revokes a refresh token: 200 with an empty body, then it neither refreshes nor introspects', async () => {
      const user = await createUser(server);
      const tokens = await signIn(CONSOLE, user);

      expectRevokeAnswer(await revokeAs(CONSOLE, tokens.refresh_token));

      const res = await refresh(CONSOLE, tokens.refresh_token);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_grant');
      await expectInactive(CONSOLE, tokens.refresh_token);
    });

    it('ends the access tokens of a grant when its refresh token is revoked (RFC 7009 §2.1), and only those', async () => {
      const user = await createUser(server);
      const grant = await signIn(CONSOLE, user);
      const rotated = (await refresh(CONSOLE, grant.refresh_token)).body as unknown as Tokens;
      const otherGrant = await signIn(CONSOLE, user);
      expect(decodeJwt(grant.access_token).payload.grant_id).toBe(
        decodeJwt(rotated.access_token).payload.grant_id,
      );
      await expectActive(resourceServer, grant.access_token);

      expectRevokeAnswer(await revokeAs(CONSOLE, rotated.refresh_token));
      await expectInactive(resourceServer, grant.access_token);
      await expectInactive(resourceServer, rotated.access_token);
      // Another sign-in of the same user is another grant: untouched.
      await expectActive(resourceServer, otherGrant.access_token);
    });

    it('revokes the whole grant, whichever of its refresh tokens is presented, whatever the hint', async () => {
      const user = await createUser(server);
      const first = await signIn(CONSOLE, user);
      const successor = (await refresh(CONSOLE, first.refresh_token)).body.refresh_token as string;
      await expectActive(CONSOLE, successor);

      // The rotated-out predecessor still names the grant; the live successor dies with it.
      expectRevokeAnswer(await revokeAs(CONSOLE, first.refresh_token));
      await expectInactive(CONSOLE, successor);
      expect((await refresh(CONSOLE, successor)).body.error).toBe('invalid_grant');

      // RFC 7009 §2.1: the hint is only a hint; a wrong one must not stop the revocation.
      const other = await signIn(CONSOLE, user);
      expectRevokeAnswer(await revokeAs(CONSOLE, other.refresh_token, 'access_token'));
      await expectInactive(CONSOLE, other.refresh_token);
      expect((await refresh(CONSOLE, other.refresh_token)).body.error).toBe('invalid_grant');
    });

    it('revokes an access token, which then introspects as inactive', async () => {
      const user = await createUser(server);
      const tokens = await signIn(CONSOLE, user);
      await expectActive(resourceServer, tokens.access_token);

      expectRevokeAnswer(await revokeAs(CONSOLE, tokens.access_token));
      await expectInactive(resourceServer, tokens.access_token);
      // Revoking it again is harmless.
      expectRevokeAnswer(await revokeAs(CONSOLE, tokens.access_token, 'access_token'));

      // RFC 7009 §2.1: a wrong hint must not stop the revocation.
      const other = await signIn(CONSOLE, user);
      expectRevokeAnswer(await revokeAs(CONSOLE, other.access_token, 'refresh_token'));
      await expectInactive(resourceServer, other.access_token);
    });

    it('answers 200 to another client’s tokens and to garbage, and changes nothing', async () => {
      const user = await createUser(server);
      const tokens = await signIn(CONSOLE, user);
      const intruder = await createClient(server, { grantTypes: ['password', 'refresh_token'] });

      expectRevokeAnswer(await revokeAs(intruder, tokens.refresh_token));
      expectRevokeAnswer(await revokeAs(intruder, tokens.refresh_token, 'refresh_token'));
      expectRevokeAnswer(await revokeAs(intruder, tokens.access_token));
      expectRevokeAnswer(await revokeAs(intruder, 'garbage'));
      expectRevokeAnswer(await revokeAs(CONSOLE, 'garbage'));

      await expectActive(resourceServer, tokens.access_token);
      await expectActive(CONSOLE, tokens.refresh_token);
      expect((await refresh(CONSOLE, tokens.refresh_token)).status).toBe(200);
    });
  });

  describe.each(['revoke', 'introspect'])('request errors of /oauth/%s', (endpoint) => {
    const url = () => `${server.url}/oauth/${endpoint}`;
    const auth = () => ({ authorization: basic(CONSOLE.clientId, CONSOLE.secret) });

    it('requires the token parameter (400 invalid_request)', async () => {
      const res = await postForm(url(), { token_type_hint: 'access_token' }, auth());
      expect(res.status).toBe(400);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    });

    it('requires client authentication (401 invalid_client with a Basic challenge)', async () => {
      const user = await createUser(server);
      const tokens = await signIn(CONSOLE, user);

      const unauthenticated: Array<Record<string, string>> = [
        {},
        { authorization: basic(CONSOLE.clientId, 'wrong-secret') },
      ];
      for (const headers of unauthenticated) {
        const res = await postForm(url(), { token: tokens.refresh_token }, headers);
        expect(res.status).toBe(401);
        expect(res.body.error).toBe('invalid_client');
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
      }
      // Nothing was revoked by the refused requests.
      await expectActive(CONSOLE, tokens.refresh_token);
    });

    it('accepts client_secret_post, but not together with Basic (RFC 6749 §2.3)', async () => {
      const credentials = { client_id: CONSOLE.clientId, client_secret: CONSOLE.secret };
      const posted = await postForm(url(), { token: 'garbage', ...credentials });
      expect(posted.status).toBe(200);
      expect(posted.body).toEqual(endpoint === 'revoke' ? {} : INACTIVE);

      const both = await postForm(url(), { token: 'garbage', ...credentials }, auth());
      expect(both.status).toBe(400);
      expect(both.body.error).toBe('invalid_request');
    });

    it('refuses a JSON body (400 invalid_request)', async () => {
      const res = await postRaw(url(), JSON.stringify({ token: 'garbage' }), {
        'content-type': 'application/json',
        ...auth(),
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });
  });
});
