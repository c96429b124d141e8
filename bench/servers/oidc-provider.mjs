// The peer of the benchmarks: node-oidc-provider (a dev dependency), configured
// like Tessera: the same clients and secrets, the same signing algorithm, JWT
// access tokens (RFC 9068) through resource indicators with Tessera's audience,
// and its in-memory adapter. Run by bench/run.mjs as its own process, so that
// its CPU time and peak RSS can be read from /proc.
//
// Environment (all set by run.mjs):
//   PEER_PORT        port on 127.0.0.1
//   PEER_ALG         RS256 | ES256: the key generated at start and the JWT alg
//   PEER_AUDIENCE    `aud` of access tokens (Tessera's ACCESS_TOKEN_AUDIENCE)
//   PEER_CLIENTS     JSON [{client_id, client_secret, grant_types, scope}]
//   PEER_USERNAME, PEER_PASSWORD  the one account of the bench password grant
//   BCRYPT_COST      cost of that account's bcrypt hash (Tessera's default 11)
//
// oidc-provider has no password grant (OAuth 2.1 dropped it); the bench
// registers one with `registerGrantType` only to mint refresh tokens for the
// refresh scenario (a bcrypt compare at the same cost, then a grant, a JWT
// access token and an opaque refresh token, exactly as its own grants do).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import bcrypt from 'bcrypt';
import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.PEER_PORT ?? 3100);
const alg = process.env.PEER_ALG ?? 'RS256';
const audience = process.env.PEER_AUDIENCE ?? 'tessera';
const clients = JSON.parse(process.env.PEER_CLIENTS ?? '[]');
const username = process.env.PEER_USERNAME ?? 'bench';
const password = process.env.PEER_PASSWORD ?? 'bench-password-123';
const bcryptCost = Number(process.env.BCRYPT_COST ?? 11);
const issuer = `http://127.0.0.1:${port}`;

/** The resource (RFC 8707) whose access tokens are JWTs with Tessera's audience. */
const RESOURCE = 'urn:tessera:bench';
/** A second resource with opaque tokens: what oidc-provider can introspect. */
const OPAQUE_RESOURCE = 'urn:tessera:bench:opaque';
const SCOPE = 'orders:read orders:write';
const ACCESS_TTL = 900;

const { privateKey } =
  alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg, use: 'sig' };

const accountId = randomUUID();
const passwordHash = await bcrypt.hash(password, bcryptCost);

const provider = new Provider(issuer, {
  clients: clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    grant_types: c.grant_types,
    scope: c.scope ?? SCOPE,
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: alg,
  })),
  clientDefaults: { id_token_signed_response_alg: alg },
  jwks: { keys: [signingJwk] },
  scopes: ['orders:read', 'orders:write'],
  cookies: { keys: ['bench-cookie-key-not-used-by-any-scenario'] },
  ttl: {
    AccessToken: ACCESS_TTL,
    ClientCredentials: ACCESS_TTL,
    RefreshToken: 2592000,
    Grant: 2592000,
  },
  // RFC 9700 §4.14.2: rotate on every use, as Tessera does.
  rotateRefreshToken: true,
  // A non-default issueRefreshToken is what makes oidc-provider serve the refresh_token grant.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // Any authenticated client may introspect, as in Tessera.
    introspection: { enabled: true, allowedPolicy: async () => true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource === RESOURCE)
          return { scope: SCOPE, audience, accessTokenTTL: ACCESS_TTL, accessTokenFormat: 'jwt', jwt: { sign: { alg } } };
        if (resource === OPAQUE_RESOURCE)
          return { scope: SCOPE, audience, accessTokenTTL: ACCESS_TTL, accessTokenFormat: 'opaque' };
        throw new errors.InvalidTarget();
      },
    },
  },
  findAccount: async (_ctx, id) =>
    id === accountId ? { accountId, claims: async () => ({ sub: accountId }) } : undefined,
});

provider.registerGrantType(
  'password',
  async function passwordGrant(ctx, next) {
    const { client, params } = ctx.oidc;
    const { Grant, AccessToken, RefreshToken, ResourceServer } = ctx.oidc.provider;
    const ok = params.username === username && (await bcrypt.compare(params.password ?? '', passwordHash));
    if (!ok) throw new errors.InvalidGrant('wrong username or password');
    const scope = params.scope ?? 'orders:read';

    const grant = new Grant({ accountId, clientId: client.clientId });
    grant.addResourceScope(RESOURCE, scope);
    const grantId = await grant.save();

    const at = new AccessToken({ accountId, client, grantId, gty: 'password', scope });
    at.resourceServer = new ResourceServer(RESOURCE, {
      scope: SCOPE,
      audience,
      accessTokenTTL: ACCESS_TTL,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg } },
    });
    ctx.oidc.entity('AccessToken', at);
    const accessToken = await at.save();

    const rt = new RefreshToken({
      accountId,
      client,
      grantId,
      gty: 'password',
      scope,
      resource: RESOURCE,
      authTime: Math.floor(Date.now() / 1000),
    });
    ctx.oidc.entity('RefreshToken', rt);
    const refreshToken = await rt.save();

    ctx.body = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: at.expiration,
      refresh_token: refreshToken,
      scope,
    };
    await next();
  },
  ['username', 'password', 'scope'],
);

provider.on('server_error', (_ctx, error) => process.stderr.write(`peer server_error: ${error.stack}\n`));

const server = createServer(provider.callback());
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`oidc-provider ${alg} listening on ${issuer}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
