import { randomBytes } from 'node:crypto';
import { AccountsService } from '../../apps/identity-server/src/accounts/accounts.service';
import { ClientsService } from '../../apps/identity-server/src/clients/clients.service';
import { basic, HttpResult, postForm, tokenRequest } from './http';
import { CONSOLE, TestServer } from './test-server';

/** A client's credentials, as a token request sends them. */
export interface TestClient {
  clientId: string;
  secret: string;
}

/** A user who can sign in. */
export interface TestUser {
  id: string;
  username: string;
  password: string;
}

/** Creates an approved client through the server's own service (registration and review come later). */
export async function createClient(
  server: TestServer,
  options: { grantTypes: string[]; scopes?: string[]; firstParty?: boolean; clientId?: string },
): Promise<TestClient & { ref: string }> {
  const clientId = options.clientId ?? `client-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const client = await server.get(ClientsService).createApprovedClient({
    clientId,
    name: clientId,
    firstParty: options.firstParty ?? true,
    grantTypes: options.grantTypes,
    scopes: options.scopes ?? ['orders:read', 'orders:write'],
    secret,
  });
  return { clientId, secret, ref: client.ref };
}

export async function createUser(
  server: TestServer,
  options: { username?: string; password?: string; roles?: string[]; email?: string } = {},
): Promise<TestUser> {
  const username = options.username ?? `user-${randomBytes(4).toString('hex')}`;
  const password = options.password ?? `pw-${randomBytes(8).toString('hex')}`;
  const user = await server
    .get(AccountsService)
    .createUser({ username, password, email: options.email, roles: options.roles ?? [] });
  return { id: user.id, username, password };
}

/**
 * Test setup only: changes a row directly, as an operator or another process
 * would, then empties the server's status caches so that the next request
 * sees the change at once (without them it would within `STATUS_CACHE_TTL_MS`).
 */
export async function setColumn(
  server: TestServer,
  table: string,
  id: string,
  column: string,
  value: string | null,
) {
  await server.dataSource
    .createQueryBuilder()
    .update(table)
    .set({ [column]: value })
    .where('id = :id', { id })
    .execute();
  server.clearStatusCaches();
}

/** An access token for a user, through the password grant with the bootstrap client. */
export async function signIn(
  server: TestServer,
  username: string,
  password: string,
): Promise<string> {
  const res = await tokenRequest(server.url, CONSOLE, {
    grant_type: 'password',
    username,
    password,
  });
  if (res.status !== 200)
    throw new Error(`sign-in of ${username} failed: ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

/** The password grant for `user` through `client`, which must succeed: its token response. */
export async function passwordTokens(
  server: TestServer,
  client: TestClient,
  user: Pick<TestUser, 'username' | 'password'>,
  scope?: string,
): Promise<{ access_token: string; refresh_token?: string; scope: string }> {
  const res = await tokenRequest(server.url, client, {
    grant_type: 'password',
    username: user.username,
    password: user.password,
    ...(scope ? { scope } : {}),
  });
  if (res.status !== 200)
    throw new Error(`password grant for ${user.username} failed: ${JSON.stringify(res.body)}`);
  return res.body as { access_token: string; refresh_token?: string; scope: string };
}

/** Introspection (RFC 7662) by `as` (the console client unless told), with an optional hint. */
export function introspect(
  server: Pick<TestServer, 'url'>,
  token: string,
  options: { as?: TestClient; hint?: string } = {},
): Promise<HttpResult> {
  return tokenPost(server, '/oauth/introspect', token, options);
}

/** Revocation (RFC 7009) by `as` (the console client unless told), with an optional hint. */
export function revoke(
  server: Pick<TestServer, 'url'>,
  token: string,
  options: { as?: TestClient; hint?: string } = {},
): Promise<HttpResult> {
  return tokenPost(server, '/oauth/revoke', token, options);
}

/** A form with `token` (and `token_type_hint`) posted with the client's Basic credentials. */
function tokenPost(
  server: Pick<TestServer, 'url'>,
  path: string,
  token: string,
  options: { as?: TestClient; hint?: string },
): Promise<HttpResult> {
  const as = options.as ?? CONSOLE;
  return postForm(
    `${server.url}${path}`,
    { token, ...(options.hint ? { token_type_hint: options.hint } : {}) },
    { authorization: basic(as.clientId, as.secret) },
  );
}

/** The number of rows of `table` in the server's database (test setup and checks only). */
export async function countRows(
  server: Pick<TestServer, 'dataSource'>,
  table: string,
): Promise<number> {
  const [row] = await server.dataSource.query<Array<{ n: number | string }>>(
    `SELECT COUNT(*) AS n FROM ${table}`,
  );
  return Number(row.n);
}

/** A UTC datetime as both engines store it, for test setup that writes timestamps directly. */
export { sqlTimestamp as sqlTime } from '../../apps/identity-server/src/database/raw-rows';
