import { DATABASES } from './support/databases';
import { getJson } from './support/http';
import { startServerOnNewDatabase, TestServer } from './support/test-server';

describe.each(DATABASES)('authorization server metadata (RFC 8414) on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServerOnNewDatabase(kind);
  });
  afterAll(() => server?.close());

  it('describes the issuer, its endpoints, grants, client authentication methods and scopes', async () => {
    const res = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const issuer = server.config.issuer;
    expect(res.body).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      // OpenID Connect Discovery 1.0 §3 members (issue 6).
      userinfo_endpoint: `${issuer}/oauth/userinfo`,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      request_uri_parameter_supported: false,
    });
    expect([...(res.body.grant_types_supported as string[])].sort()).toEqual([
      'authorization_code',
      'client_credentials',
      'password',
      'refresh_token',
    ]);
    // SPEC: the sample service's scopes are in the catalogue from the first start.
    expect(res.body.scopes_supported).toEqual(
      expect.arrayContaining(['orders:read', 'orders:write', 'openid', 'profile', 'email']),
    );
  });

  it('serves the same document as the OpenID Connect configuration', async () => {
    const oidc = await getJson(`${server.url}/.well-known/openid-configuration`);
    expect(oidc.status).toBe(200);
    expect(oidc.body).toEqual(
      (await getJson(`${server.url}/.well-known/oauth-authorization-server`)).body,
    );
  });

  it('serves every advertised endpoint at the advertised address', async () => {
    const metadata = (await getJson(`${server.url}/.well-known/oauth-authorization-server`))
      .body as Record<string, string>;
    const local = (url: string) => url.replace(server.config.issuer, server.url);
    expect((await getJson(local(metadata.jwks_uri))).status).toBe(200);
    for (const endpoint of [
      metadata.token_endpoint,
      metadata.revocation_endpoint,
      metadata.introspection_endpoint,
    ]) {
      // Without client authentication each answers the OAuth error, not 404.
      const res = await fetch(local(endpoint), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      expect(res.status).toBe(401);
    }
    // Userinfo takes a bearer token: without one, the bare RFC 6750 challenge.
    const userinfo = await getJson(local(metadata.userinfo_endpoint));
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
  });
});
