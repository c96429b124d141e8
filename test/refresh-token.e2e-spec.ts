import { createHmac, randomBytes } from 'node:crypto';
import { AuditService } from '../apps/identity-server/src/audit/audit.service';
import { KeyMaterial } from '../apps/identity-server/src/crypto/key-material';
import { AccessTokenIssuer } from '../apps/identity-server/src/oauth/tokens/access-token.issuer';
import { RefreshTokenFamilyEntity } from '../apps/identity-server/src/oauth/tokens/refresh-token-family.entity';
import { RefreshTokenSealer } from '../apps/identity-server/src/oauth/tokens/refresh-token.sealer';
import { RefreshTokenStore } from '../apps/identity-server/src/oauth/tokens/refresh-token.store';
import { DATABASES } from './support/databases';
import {
  createClient,
  createUser,
  passwordTokens,
  revoke,
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
    const tokens = await passwordTokens(server, client, user, scope);
    expect(typeof tokens.refresh_token).toBe('string');
    return tokens as Tokens;
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

  /** The user's grants: each holds the hash of its one live refresh token. */
  function grantsOfUser(userId: string): Promise<RefreshTokenFamilyEntity[]> {
    return server.dataSource.getRepository(RefreshTokenFamilyEntity).find({ where: { userId } });
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

  it('looks a token up without redeeming it: only the live token has times, an earlier one is inactive', async () => {
    const user = await createUser(server);
    const first = await signIn(CONSOLE, user);
    const second = (await refresh(CONSOLE, first.refresh_token)).body as unknown as Tokens;
    const store = server.get(RefreshTokenStore);
    const live = await store.inspect(second.refresh_token);
    expect(live).toMatchObject({ active: true, userId: user.id, scope: first.scope });
    const times = live as { issuedAt: Date; expiresAt: Date };
    expect(times.expiresAt.getTime() - times.issuedAt.getTime()).toBe(2592000 * 1000);
    const earlier = await store.inspect(first.refresh_token);
    expect(earlier).toMatchObject({ active: false, familyId: live!.familyId });
    expect(earlier).not.toHaveProperty('issuedAt');
    expect(earlier).not.toHaveProperty('expiresAt');
    // Looking up redeemed nothing: the live token still refreshes.
    expect((await refresh(CONSOLE, second.refresh_token)).status).toBe(200);
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

    // One redemption means one successor: the grant was rotated exactly once. The losers
    // presented a token that was no longer the live one, which is reuse (RFC 9700 §4.14.2).
    const grants = await grantsOfUser(user.id);
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ rotations: 1, revokedReason: 'reuse' });
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

  it('refuses a wider scope on an earlier token as reuse, not invalid_scope, and revokes the grant', async () => {
    const user = await createUser(server);
    const first = await signIn(CONSOLE, user, 'orders:read');
    const rotated = await refresh(CONSOLE, first.refresh_token);
    expect(rotated.status).toBe(200);

    // Only the live token's holder learns that its scope is refused.
    const replayed = await refresh(CONSOLE, first.refresh_token, {
      scope: 'orders:read admin:all',
    });
    expectOAuthError(replayed, 400, 'invalid_grant');
    expectOAuthError(
      await refresh(CONSOLE, rotated.body.refresh_token as string),
      400,
      'invalid_grant',
    );
    const [grant] = await grantsOfUser(user.id);
    expect(grant).toMatchObject({ rotations: 1, revokedReason: 'reuse' });
    const events = await server.get(AuditService).recent('token.refresh_reuse_detected');
    expect(events.find((e) => e.subjectId === user.id)?.details).toMatchObject({
      reason: 'reused',
      familyId: grant.id,
    });
  });

  it('keeps the token live when the answer cannot be made: the retry succeeds and is no reuse', async () => {
    const user = await createUser(server);
    const tokens = await signIn(CONSOLE, user);
    const issuer = server.get(AccessTokenIssuer);
    const failing = jest
      .spyOn(issuer, 'issue')
      .mockRejectedValueOnce(new Error('the signing key is unavailable'));
    try {
      const failed = await refresh(CONSOLE, tokens.refresh_token);
      expectOAuthError(failed, 500, 'server_error');
      // The cause goes to the log only.
      expect(JSON.stringify(failed.body)).not.toContain('signing key');
      expect(failing).toHaveBeenCalledTimes(1);
    } finally {
      failing.mockRestore();
    }
    // The rotation was taken back: the token the client holds is the live one again.
    const [before] = await grantsOfUser(user.id);
    expect(before).toMatchObject({ rotations: 0, revokedAt: null });

    const retried = await refresh(CONSOLE, tokens.refresh_token);
    expect(retried.status).toBe(200);
    expect(typeof retried.body.refresh_token).toBe('string');
    const [after] = await grantsOfUser(user.id);
    expect(after).toMatchObject({ rotations: 1, revokedAt: null });
  });

  it('takes a rotation back only while its successor is still the live token', async () => {
    const user = await createUser(server);
    const first = await signIn(CONSOLE, user);
    const second = (await refresh(CONSOLE, first.refresh_token)).body as unknown as Tokens;
    const third = (await refresh(CONSOLE, second.refresh_token)).body as unknown as Tokens;
    const store = server.get(RefreshTokenStore);
    const [grant] = await grantsOfUser(user.id);

    // The second token is no longer live: taking its rotation back changes nothing.
    expect(await store.undoRotation(grant.id, first.refresh_token, second.refresh_token)).toBe(
      false,
    );
    expect(await store.undoRotation(grant.id, second.refresh_token, third.refresh_token)).toBe(
      true,
    );
    const [undone] = await grantsOfUser(user.id);
    expect(undone).toMatchObject({ rotations: 1, revokedAt: null });
    expect((await store.inspect(second.refresh_token))?.active).toBe(true);
    expect((await store.inspect(third.refresh_token))?.active).toBe(false);

    // Nor on a revoked grant, even with its successor live.
    expect((await revoke(server, second.refresh_token, { as: CONSOLE })).status).toBe(200);
    expect(await store.undoRotation(grant.id, first.refresh_token, second.refresh_token)).toBe(
      false,
    );
  });

  it('refuses an expired refresh token with invalid_grant', async () => {
    const user = await createUser(server);
    const tokens = await signIn(CONSOLE, user);
    const repo = server.dataSource.getRepository(RefreshTokenFamilyEntity);
    const [grant] = await grantsOfUser(user.id);

    await repo.update({ id: grant.id }, { tokenExpiresAt: new Date(Date.now() - 1000) });
    expectOAuthError(await refresh(CONSOLE, tokens.refresh_token), 400, 'invalid_grant');

    // The expiry is what refused it: the same token, unexpired again, still works (it was not burnt).
    await repo.update({ id: grant.id }, { tokenExpiresAt: new Date(Date.now() + 60_000) });
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
    const rotated = await refresh(CONSOLE, first.refresh_token);
    expect(rotated.status).toBe(200);
    const second = rotated.body.refresh_token as string;
    const issued = [first.refresh_token, second];

    // The grant holds the keyed hash of the live token, and nothing of the first one.
    const [grant] = await grantsOfUser(user.id);
    const hashKey = server.get(KeyMaterial).keyFor('refresh-token-hash');
    expect(grant.tokenHash).toBe(createHmac('sha256', hashKey).update(second).digest('hex'));

    // No column of any grant row holds a token in clear.
    const families = await server.dataSource.query<Array<Record<string, unknown>>>(
      'SELECT * FROM refresh_token_families',
    );
    expect(families.length).toBeGreaterThanOrEqual(1);
    for (const row of families) {
      for (const value of Object.values(row)) {
        for (const token of issued) expect(String(value)).not.toContain(token);
      }
    }
  });

  it('refuses an altered or forged token without touching the grant it names', async () => {
    const user = await createUser(server);
    const { refresh_token } = await signIn(CONSOLE, user);
    const raw = Buffer.from(refresh_token, 'base64url');
    const forgeries = [
      refresh_token.slice(0, -2),
      `${refresh_token}AA`,
      Buffer.concat([raw.subarray(0, 20), Buffer.from([raw[20] ^ 1]), raw.subarray(21)]).toString(
        'base64url',
      ),
    ];
    for (const forged of forgeries)
      expectOAuthError(await refresh(CONSOLE, forged), 400, 'invalid_grant');

    // Not taken for reuse: the grant is live and the real token still works, once.
    const [grant] = await grantsOfUser(user.id);
    expect(grant).toMatchObject({ revokedAt: null, rotations: 0 });
    expect((await refresh(CONSOLE, refresh_token)).status).toBe(200);
    const events = await server.get(AuditService).recent('token.refresh_reuse_detected');
    expect(events.find((e) => e.subjectId === user.id)).toBeUndefined();
  });

  it('detects reuse of any earlier token of a grant, not only the one just rotated', async () => {
    const user = await createUser(server);
    const chain = [(await signIn(CONSOLE, user)).refresh_token];
    for (let i = 0; i < 3; i++) {
      const res = await refresh(CONSOLE, chain[chain.length - 1]);
      expect(res.status).toBe(200);
      chain.push(res.body.refresh_token as string);
    }
    expect((await grantsOfUser(user.id))[0]).toMatchObject({ rotations: 3, revokedAt: null });

    expectOAuthError(await refresh(CONSOLE, chain[0]), 400, 'invalid_grant');
    const [grant] = await grantsOfUser(user.id);
    expect(grant.revokedReason).toBe('reuse');
    expectOAuthError(await refresh(CONSOLE, chain[3]), 400, 'invalid_grant');
  });

  it('refuses a token sealed by anyone else for a real grant, and leaves that grant alive', async () => {
    const user = await createUser(server);
    const tokens = await signIn(CONSOLE, user);
    const [grant] = await grantsOfUser(user.id);
    expect(decodeJwt(tokens.access_token).payload.grant_id).toBe(grant.id);

    // What an attacker who read grant_id from an access token could build, lacking the server's key.
    const forged = new RefreshTokenSealer(randomBytes(32)).seal({
      familyId: grant.id,
      clientRef: grant.clientRef,
      userId: user.id,
      scope: tokens.scope,
      authTime: grant.authTime,
    });
    const other = await createClient(server, { grantTypes: ['password', 'refresh_token'] });
    expectOAuthError(await refresh(CONSOLE, forged), 400, 'invalid_grant');
    expectOAuthError(await refresh(other, forged), 400, 'invalid_grant');
    const revoked = await revoke(server, forged);
    expect(revoked.status).toBe(200);

    expect((await grantsOfUser(user.id))[0]).toMatchObject({ revokedAt: null, rotations: 0 });
    expect((await refresh(CONSOLE, tokens.refresh_token)).status).toBe(200);
  });
});
