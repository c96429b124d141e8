import { AuditService } from '../apps/identity-server/src/audit/audit.service';
import { RefreshTokenFamilyEntity } from '../apps/identity-server/src/oauth/tokens/refresh-token-family.entity';
import { RefreshTokenEntity } from '../apps/identity-server/src/oauth/tokens/refresh-token.entity';
import { DATABASES } from './support/databases';
import {
  createClient,
  createUser,
  setColumn,
  TestClient as Client,
  TestUser as User,
} from './support/fixtures';
import { decodeJwt, HttpResult, tokenRequest } from './support/http';
import { CONSOLE, startServerOnNewDatabase, TestServer } from './support/test-server';

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
}

describe.each(DATABASES)('refresh token grant (RFC 6749 §6, RFC 9700 §4.14) on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServerOnNewDatabase(kind);
  });
  afterAll(() => server?.close());

  /** A password grant that must succeed and carry a refresh token. */
  async function signIn(client: Client, user: User, scope?: string): Promise<Tokens> {
    const res = await tokenRequest(server.url, client, {
      grant_type: 'password',
      username: user.username,
      password: user.password,
      ...(scope ? { scope } : {}),
    });
    expect(res.status).toBe(200);
    expect(typeof res.body.refresh_token).toBe('string');
    return res.body as unknown as Tokens;
  }

  function refresh(client: Client, refreshToken: string, extra: Record<string, string> = {}) {
    return tokenRequest(server.url, client, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      ...extra,
    });
  }

  /** RFC 6749 §5.2 error: status, code, and the no-store header every token response carries. */
  function expectOAuthError(res: HttpResult, status: number, error: string) {
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(error);
    expect(res.headers.get('cache-control')).toBe('no-store');
  }

  async function tokenRowsOfUser(userId: string): Promise<RefreshTokenEntity[]> {
    const families = await server.dataSource
      .getRepository(RefreshTokenFamilyEntity)
      .find({ where: { userId } });
    const tokens = server.dataSource.getRepository(RefreshTokenEntity);
    const rows = await Promise.all(
      families.map((family) => tokens.find({ where: { familyId: family.id } })),
    );
    return rows.flat();
  }

  it('rotates: a refresh returns a new access token and a new refresh token, and the old one stops working', async () => {
    const user = await createUser(server);
    const first = await signIn(CONSOLE, user);

    const res = await refresh(CONSOLE, first.refresh_token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: first.scope });
    const second = res.body as unknown as Tokens;
    expect(typeof second.access_token).toBe('string');
    expect(second.access_token).not.toBe(first.access_token);
    expect(typeof second.refresh_token).toBe('string');
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(Buffer.from(second.refresh_token, 'base64url').length).toBeGreaterThanOrEqual(32);

    const claims = decodeJwt(second.access_token).payload;
    expect(claims).toMatchObject({
      iss: server.config.issuer,
      sub: user.id,
      client_id: CONSOLE.clientId,
      username: user.username,
      scope: first.scope,
    });
    // The successor keeps the original authentication time (RFC 9068 §2.2.1 auth_time).
    expect(claims.auth_time).toBe(decodeJwt(first.access_token).payload.auth_time);

    expectOAuthError(await refresh(CONSOLE, first.refresh_token), 400, 'invalid_grant');
  });

  it('treats a rotated token presented again as reuse and revokes the whole family (RFC 9700 §4.14.2)', async () => {
    const user = await createUser(server);
    const a = await signIn(CONSOLE, user);
    const rotated = await refresh(CONSOLE, a.refresh_token);
    expect(rotated.status).toBe(200);
    const b = rotated.body.refresh_token as string;

    expectOAuthError(await refresh(CONSOLE, a.refresh_token), 400, 'invalid_grant');
    // B was never used, but it belongs to the compromised family.
    expectOAuthError(await refresh(CONSOLE, b), 400, 'invalid_grant');

    const events = await server.get(AuditService).recent('token.refresh_reuse_detected');
    const event = events.find((e) => e.subjectId === user.id);
    expect(event).toBeDefined();
    expect(event?.clientId).toBe(CONSOLE.clientId);
    expect(event?.details).toMatchObject({ reason: 'reused', familyId: expect.any(String) });
  });

  it('lets exactly one of ten concurrent refreshes with the same token succeed', async () => {
    const user = await createUser(server);
    const { refresh_token } = await signIn(CONSOLE, user);

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => refresh(CONSOLE, refresh_token)),
    );
    const won = answers.filter((res) => res.status === 200);
    const lost = answers.filter((res) => res.status !== 200);
    expect(won).toHaveLength(1);
    expect(typeof won[0].body.refresh_token).toBe('string');
    expect(lost).toHaveLength(9);
    for (const res of lost) expectOAuthError(res, 400, 'invalid_grant');

    // One redemption means one successor: the original row and exactly one new one.
    const rows = await tokenRowsOfUser(user.id);
    expect(rows).toHaveLength(2);
    expect(rows.filter((row) => row.consumedAt !== null)).toHaveLength(1);
  });

  it('refuses a refresh token presented by another client and revokes its family for the rightful client too', async () => {
    const other = await createClient(server, { grantTypes: ['password', 'refresh_token'] });
    const user = await createUser(server);
    const tokens = await signIn(CONSOLE, user);

    expectOAuthError(await refresh(other, tokens.refresh_token), 400, 'invalid_grant');
    // RFC 9700 §4.14.2: the token leaked to another client, so the grant is no longer trusted.
    expectOAuthError(await refresh(CONSOLE, tokens.refresh_token), 400, 'invalid_grant');

    const events = await server.get(AuditService).recent('token.refresh_reuse_detected');
    const event = events.find((e) => e.subjectId === user.id);
    expect(event).toMatchObject({ clientId: other.clientId, details: { reason: 'other_client' } });
  });

  it('refuses the refresh (invalid_grant) once the user is disabled, and re-enabling does not revive the token', async () => {
    const user = await createUser(server);
    const tokens = await signIn(CONSOLE, user);

    await setColumn(server, 'users', user.id, 'status', 'disabled');
    expectOAuthError(await refresh(CONSOLE, tokens.refresh_token), 400, 'invalid_grant');

    await setColumn(server, 'users', user.id, 'status', 'active');
    expectOAuthError(await refresh(CONSOLE, tokens.refresh_token), 400, 'invalid_grant');
  });

  it('refuses a suspended client with 401 invalid_client (RFC 6749 §5.2)', async () => {
    const client = await createClient(server, { grantTypes: ['password', 'refresh_token'] });
    const user = await createUser(server);
    const tokens = await signIn(client, user);

    await setColumn(server, 'clients', client.ref, 'status', 'suspended');
    const res = await refresh(client, tokens.refresh_token);
    expectOAuthError(res, 401, 'invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('narrows the scope of the new access token while the successor keeps the original scope', async () => {
    const user = await createUser(server);
    const first = await signIn(CONSOLE, user);
    expect(first.scope).toBe('orders:read orders:write');

    const narrowed = await refresh(CONSOLE, first.refresh_token, { scope: 'orders:read' });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('orders:read');
    expect(decodeJwt(narrowed.body.access_token as string).payload.scope).toBe('orders:read');

    // RFC 6749 §6: an omitted scope means the scope originally granted.
    const restored = await refresh(CONSOLE, narrowed.body.refresh_token as string);
    expect(restored.status).toBe(200);
    expect(restored.body.scope).toBe('orders:read orders:write');
    expect(decodeJwt(restored.body.access_token as string).payload.scope).toBe(
      'orders:read orders:write',
    );
  });

  it('refuses a wider scope with invalid_scope without burning the refresh token', async () => {
    const user = await createUser(server);
    const tokens = await signIn(CONSOLE, user, 'orders:read');

    // Outside the client's scopes, and within them but beyond the original grant (RFC 6749 §6).
    for (const scope of ['orders:read admin:all', 'orders:read orders:write']) {
      const wider = await refresh(CONSOLE, tokens.refresh_token, { scope });
      expectOAuthError(wider, 400, 'invalid_scope');
    }

    const after = await refresh(CONSOLE, tokens.refresh_token);
    expect(after.status).toBe(200);
    expect(after.body.scope).toBe('orders:read');
  });

  it('refuses an expired refresh token with invalid_grant', async () => {
    const user = await createUser(server);
    const tokens = await signIn(CONSOLE, user);
    const repo = server.dataSource.getRepository(RefreshTokenEntity);
    const [row] = await tokenRowsOfUser(user.id);

    await repo.update({ id: row.id }, { expiresAt: new Date(Date.now() - 1000) });
    expectOAuthError(await refresh(CONSOLE, tokens.refresh_token), 400, 'invalid_grant');

    // The expiry is what refused it: the same token, unexpired again, still works (it was not burnt).
    await repo.update({ id: row.id }, { expiresAt: new Date(Date.now() + 60_000) });
    expect((await refresh(CONSOLE, tokens.refresh_token)).status).toBe(200);
  });

  it('requires the refresh_token parameter (invalid_request) and refuses an unknown token (invalid_grant)', async () => {
    const missing = await tokenRequest(server.url, CONSOLE, { grant_type: 'refresh_token' });
    expectOAuthError(missing, 400, 'invalid_request');
    expect(missing.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
    });

    const garbage = await refresh(CONSOLE, 'not-a-refresh-token-at-all');
    expectOAuthError(garbage, 400, 'invalid_grant');
    expect(garbage.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  });

  it('stores refresh tokens only as hashes', async () => {
    const user = await createUser(server);
    const first = await signIn(CONSOLE, user);
    const second = (await refresh(CONSOLE, first.refresh_token)).body.refresh_token as string;
    const issued = [first.refresh_token, second];

    const hashes = await server.dataSource.query<Array<{ token_hash: string }>>(
      'SELECT token_hash FROM refresh_tokens',
    );
    expect(hashes.length).toBeGreaterThanOrEqual(2);
    for (const { token_hash } of hashes) {
      expect(token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(issued).not.toContain(token_hash);
    }

    // No column of any token or family row holds a token in clear.
    const rows = await server.dataSource.query<Array<Record<string, unknown>>>(
      'SELECT * FROM refresh_tokens',
    );
    const families = await server.dataSource.query<Array<Record<string, unknown>>>(
      'SELECT * FROM refresh_token_families',
    );
    for (const row of [...rows, ...families]) {
      for (const value of Object.values(row)) {
        for (const token of issued) expect(String(value)).not.toContain(token);
      }
    }
  });
});
