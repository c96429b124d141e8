import { getRounds, hashSync } from 'bcrypt';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { AccountsService } from '../apps/identity-server/src/accounts/accounts.service';
import { PasswordHasher } from '../apps/identity-server/src/accounts/password-hasher';
import { AuditEventType, AuditService } from '../apps/identity-server/src/audit/audit.service';
import { RefreshTokenStore } from '../apps/identity-server/src/oauth/tokens/refresh-token.store';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { createClient, createUser, setColumn, sqlTime } from './support/fixtures';
import { decodeJwt, getJson, tokenRequest } from './support/http';
import { ADMIN, CONSOLE, startServer, TestServer } from './support/test-server';

describe.each(DATABASES)('password grant (RFC 6749 §4.3) on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url, {
      LOGIN_MAX_FAILED_ATTEMPTS: '3',
      // Long enough that no test outlives a lock by accident; the end is moved by hand.
      LOGIN_LOCKOUT_SECONDS: '600',
      // One above the lowest cost, so that a hash can be older and cheaper (an upgrade at sign-in).
      BCRYPT_COST: '5',
    });
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });
  afterEach(() => jest.restoreAllMocks());

  /** The password grant for the bootstrap client. */
  const signInWith = (username: string, password: string) =>
    tokenRequest(server.url, CONSOLE, { grant_type: 'password', username, password });

  it('issues an RFC 9068 access token and a refresh token to the bootstrap client', async () => {
    const res = await signInWith(ADMIN.username, ADMIN.password);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'orders:read orders:write',
    });
    expect(typeof res.body.refresh_token).toBe('string');
    expect(
      Buffer.from(res.body.refresh_token as string, 'base64url').length,
    ).toBeGreaterThanOrEqual(32);

    const token = res.body.access_token as string;
    const { header, payload } = decodeJwt(token);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    expect(typeof header.kid).toBe('string');
    expect(payload).toMatchObject({
      iss: server.config.issuer,
      aud: 'tessera',
      client_id: 'console',
      scope: 'orders:read orders:write',
      username: 'admin',
      roles: ['admin'],
    });
    expect(payload.permissions).toEqual(expect.arrayContaining(['users:write', 'clients:review']));
    expect(payload.exp).toBe((payload.iat as number) + 900);
    expect(typeof payload.jti).toBe('string');
    expect(typeof payload.sub).toBe('string');

    // The signature verifies against the published JWKS, with the typ pinned.
    const jwks = await getJson(`${server.url}/.well-known/jwks.json`);
    const verified = await jwtVerify(token, createLocalJWKSet(jwks.body as never), {
      issuer: server.config.issuer,
      audience: 'tessera',
      typ: 'at+jwt',
    });
    expect(verified.payload.sub).toBe(payload.sub);
  });

  it('matches usernames without regard to case', async () => {
    const res = await signInWith('ADMIN', ADMIN.password);
    expect(res.status).toBe(200);
  });

  it('grants the requested scope when it lies within the client scope, and refuses others with invalid_scope', async () => {
    const narrowed = await tokenRequest(server.url, CONSOLE, {
      grant_type: 'password',
      username: ADMIN.username,
      password: ADMIN.password,
      scope: 'orders:read',
    });
    expect(narrowed.body.scope).toBe('orders:read');
    expect(decodeJwt(narrowed.body.access_token as string).payload.scope).toBe('orders:read');

    const wider = await tokenRequest(server.url, CONSOLE, {
      grant_type: 'password',
      username: ADMIN.username,
      password: ADMIN.password,
      scope: 'orders:read admin:all',
    });
    expect(wider.status).toBe(400);
    expect(wider.body).toEqual({ error: 'invalid_scope', error_description: expect.any(String) });
  });

  it('gives no refresh token to a client that is not allowed the refresh_token grant', async () => {
    const client = await createClient(server, { grantTypes: ['password'] });
    const res = await tokenRequest(server.url, client, {
      grant_type: 'password',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
  });

  it('answers a wrong password, an unknown user and a disabled account with the same invalid_grant', async () => {
    const user = await createUser(server);
    const disabled = await createUser(server);
    await setColumn(server, 'users', disabled.id, 'status', 'disabled');

    const answers = await Promise.all([
      signInWith(user.username, 'wrong'),
      signInWith('nobody-here', 'whatever'),
      signInWith(disabled.username, disabled.password),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual(answers[0].body);
      expect(res.body.error).toBe('invalid_grant');
    }
  });

  it('locks an account after consecutive failures, answers it like any failure, and unlocks after the lockout', async () => {
    const user = await createUser(server);
    for (let i = 0; i < 3; i++) {
      const res = await signInWith(user.username, `wrong-${i}`);
      expect(res.body.error).toBe('invalid_grant');
    }
    const wrongAnswer = await signInWith('nobody-at-all', 'x');
    const whileLocked = await signInWith(user.username, user.password);
    expect(whileLocked.status).toBe(400);
    expect(whileLocked.body).toEqual(wrongAnswer.body);

    const locked = await server.get(AuditService).recent('user.locked');
    expect(locked.some((event) => event.subjectId === user.id)).toBe(true);

    // The lock's end, moved into the past: the lockout is over.
    await setColumn(server, 'users', user.id, 'lockedUntil', sqlTime(new Date(Date.now() - 1000)));
    server.clearStatusCaches();
    const afterLockout = await signInWith(user.username, user.password);
    expect(afterLockout.status).toBe(200);
  });

  it('counts concurrent guesses against the lockout: no more than the threshold are compared, and the lock holds', async () => {
    const user = await createUser(server);
    const guesses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => signInWith(user.username, `guess-${i}`)),
    );
    expect(guesses.map((res) => res.body.error)).toEqual(Array(8).fill('invalid_grant'));
    // Three results judged (the threshold), the third locking; the five that land after the
    // lock change nothing.
    const audit = server.get(AuditService);
    const mine = async (type: AuditEventType) =>
      (await audit.recent(type)).filter((event) => event.subjectId === user.id).length;
    expect(await mine('user.login_failed')).toBe(2);
    expect(await mine('user.locked')).toBe(1);
    // The right password, at once: still locked (the late failures did not lift the lock).
    const right = await signInWith(user.username, user.password);
    expect(right.status).toBe(400);
    const [row] = await server.dataSource.query(
      'SELECT status, failed_login_count AS n FROM users WHERE id = ?',
      [user.id],
    );
    expect(row.status).toBe('locked');
    expect(Number(row.n)).toBe(0);
  });

  it('signs in every one of more concurrent right passwords than the lockout threshold', async () => {
    const user = await createUser(server);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => signInWith(user.username, user.password)),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(8).fill(200));
  });

  it('signs in every one of concurrent right passwords while the first of them upgrades the hash', async () => {
    const user = await createUser(server);
    await setColumn(server, 'users', user.id, 'passwordHash', hashSync(user.password, 4));
    server.clearStatusCaches();
    const answers = await Promise.all(
      Array.from({ length: 3 }, () => signInWith(user.username, user.password)),
    );
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200]);
    const [row] = await server.dataSource.query<Array<{ h: string }>>(
      'SELECT password_hash AS h FROM users WHERE id = ?',
      [user.id],
    );
    expect(getRounds(row.h)).toBe(5);
    expect((await signInWith(user.username, user.password)).status).toBe(200);
  });

  it('fails a sign-in whose password is changed while it is being compared, and creates no grant', async () => {
    const user = await createUser(server);
    const accounts = server.get(AccountsService);
    const hasher = server.get(PasswordHasher);
    const compare = hasher.verify.bind(hasher);
    const newPassword = `${user.password}-new`;
    jest.spyOn(hasher, 'verify').mockImplementationOnce(async (password, hash) => {
      const matches = await compare(password, hash);
      await accounts.changePassword(user.id, user.password, newPassword);
      return matches;
    });
    const signIn = await signInWith(user.username, user.password);
    expect(signIn.status).toBe(400);
    expect(signIn.body.error).toBe('invalid_grant');
    expect(await liveGrants(user.id)).toBe(0);
    const withNew = await signInWith(user.username, newPassword);
    expect(withNew.status).toBe(200);
  });

  it.each(['password_changed', 'user_disabled'])(
    'ends a grant created just after the account’s grants were swept (%s)',
    async (change) => {
      const user = await createUser(server);
      const accounts = server.get(AccountsService);
      const refreshTokens = server.get(RefreshTokenStore);
      const issueNew = refreshTokens.issueNew.bind(refreshTokens);
      // The change lands after the password matched and before the grant exists.
      jest.spyOn(refreshTokens, 'issueNew').mockImplementationOnce(async (input) => {
        if (change === 'password_changed')
          await accounts.changePassword(user.id, user.password, `${user.password}-new`);
        else await setColumn(server, 'users', user.id, 'status', 'disabled');
        return issueNew(input);
      });
      const signIn = await signInWith(user.username, user.password);
      expect(signIn.status).toBe(400);
      expect(signIn.body.error).toBe('invalid_grant');
      expect(signIn.body.access_token).toBeUndefined();
      expect(await liveGrants(user.id)).toBe(0);
      const [family] = await server.dataSource.query(
        'SELECT revoked_reason FROM refresh_token_families WHERE user_id = ?',
        [user.id],
      );
      expect(family.revoked_reason).toBe(change);
    },
  );

  async function liveGrants(userId: string): Promise<number> {
    const [row] = await server.dataSource.query(
      'SELECT COUNT(*) AS n FROM refresh_token_families WHERE user_id = ? AND revoked_at IS NULL',
      [userId],
    );
    return Number(row.n);
  }

  it('resets the failure count on success, so only consecutive failures lock', async () => {
    const user = await createUser(server);
    const fail = () => signInWith(user.username, 'nope');
    await fail();
    await fail();
    expect((await signInWith(user.username, user.password)).status).toBe(200);
    await fail();
    await fail();
    expect((await signInWith(user.username, user.password)).status).toBe(200);
  });

  it('requires username and password (invalid_request) and changes nothing', async () => {
    const before = await server.dataSource.query(
      'SELECT COUNT(*) AS n FROM refresh_token_families',
    );
    const res = await tokenRequest(server.url, CONSOLE, {
      grant_type: 'password',
      username: ADMIN.username,
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    const after = await server.dataSource.query('SELECT COUNT(*) AS n FROM refresh_token_families');
    expect(Number(after[0].n)).toBe(Number(before[0].n));
  });
});
