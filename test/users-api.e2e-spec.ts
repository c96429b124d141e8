import { randomBytes } from 'node:crypto';
import { AuditService } from '../apps/identity-server/src/audit/audit.service';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { createClient } from './support/fixtures';
import { decodeJwt, HttpResult, tokenRequest } from './support/http';
import { ADMIN, CONSOLE, startServer, TestServer } from './support/test-server';

interface UserJson {
  id: string;
  username: string;
  email: string | null;
  status: 'active' | 'disabled' | 'locked';
  roles: string[];
  permissions: string[];
  lockedUntil: string | null;
  lastLoginAt: string | null;
  passwordChangedAt: string;
  createdAt: string;
  updatedAt: string;
}

interface PageJson {
  items: UserJson[];
  total: number;
  limit: number;
  offset: number;
}

interface Account {
  id: string;
  username: string;
  password: string;
  token: string;
}

/** The lockout policy of this file's server: three consecutive failures lock for an hour. */
const MAX_FAILED_ATTEMPTS = 3;

const ADMIN_PERMISSIONS = [
  'audit:read',
  'clients:register',
  'clients:review',
  'scopes:write',
  'users:read',
  'users:write',
];

/** A bcrypt hash in any of its prefixes. */
const BCRYPT_HASH = /\$2[abxy]\$\d\d\$/;

/** Every key of a JSON value, however deep. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  return [];
}

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const strongPassword = () => `pw-${randomBytes(12).toString('hex')}`;

describe.each(DATABASES)('/api/users on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;
  /** The bootstrap admin, signed in through the bootstrap console client. */
  let admin: Account;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url, {
      LOGIN_MAX_FAILED_ATTEMPTS: String(MAX_FAILED_ATTEMPTS),
      LOGIN_LOCKOUT_SECONDS: '3600',
    });
    const token = await signIn(ADMIN.username, ADMIN.password);
    const me = await api('GET', '/api/users/me', { token });
    expect(me.status).toBe(200);
    admin = { id: (me.body as unknown as UserJson).id, ...ADMIN, token };
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  /**
   * A JSON request to the API. Every response of the file passes through
   * here, so every one is checked for a hash (SPEC, fixed: never a password or
   * hash): no key that could hold one, no bcrypt string anywhere.
   */
  async function api(
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<HttpResult> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, body });
    const text = await response.text();
    expect(text).not.toMatch(BCRYPT_HASH);
    const parsed: unknown = text ? JSON.parse(text) : {};
    const keys = keysOf(parsed).map((key) => key.toLowerCase());
    for (const forbidden of ['password', 'passwordhash', 'password_hash', 'hash'])
      expect(keys).not.toContain(forbidden);
    return { status: response.status, headers: response.headers, body: parsed as never };
  }

  /** The password grant with the console client; the access token, or throws with the answer. */
  async function signIn(username: string, password: string): Promise<string> {
    const res = await passwordGrant(username, password);
    if (res.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(res.body)}`);
    return res.body.access_token as string;
  }

  function passwordGrant(username: string, password: string) {
    return tokenRequest(server.url, CONSOLE, { grant_type: 'password', username, password });
  }

  /** Creates an account through the API as the bootstrap admin and signs it in. */
  async function newAccount(roles: string[] = []): Promise<Account & { user: UserJson }> {
    const username = unique('user');
    const password = strongPassword();
    const res = await api('POST', '/api/users', {
      token: admin.token,
      body: { username, password, roles },
    });
    expect(res.status).toBe(201);
    const user = res.body as unknown as UserJson;
    return { id: user.id, username, password, token: await signIn(username, password), user };
  }

  async function usernameCount(username: string): Promise<number> {
    const rows: Array<{ n: number | string }> = await server.dataSource.query(
      'SELECT COUNT(*) AS n FROM users WHERE username_normalized = ?',
      [username.toLowerCase()],
    );
    return Number(rows[0].n);
  }

  async function allUsers(token = admin.token): Promise<UserJson[]> {
    const users: UserJson[] = [];
    for (let offset = 0; ; offset += 100) {
      const res = await api('GET', `/api/users?limit=100&offset=${offset}`, { token });
      expect(res.status).toBe(200);
      const page = res.body as unknown as PageJson;
      users.push(...page.items);
      if (users.length >= page.total || page.items.length === 0) return users;
    }
  }

  const isActiveAdmin = (user: UserJson) =>
    user.roles.includes('admin') && user.status !== 'disabled';

  /** Disables every admin but these, so that the test controls who the active admins are. */
  async function keepOnlyActiveAdmins(...keep: string[]): Promise<void> {
    for (const user of await allUsers()) {
      if (!isActiveAdmin(user) || keep.includes(user.id)) continue;
      const res = await setStatus(admin.token, user.id, 'disabled');
      expect(res.status).toBe(200);
    }
  }

  function setStatus(token: string, id: string, status: string) {
    return api('PATCH', `/api/users/${id}/status`, { token, body: { status } });
  }

  function setRoles(token: string, id: string, roles: unknown) {
    return api('PUT', `/api/users/${id}/roles`, { token, body: { roles } });
  }

  function changePassword(token: string, body: unknown) {
    return api('POST', '/api/users/me/password', { token, body });
  }

  /** A /api validation refusal: 400 with the list of reasons (SPEC: `statusCode` and `message`). */
  function expectValidationError(res: HttpResult): void {
    expect(res.status).toBe(400);
    expect(res.body.statusCode).toBe(400);
    expect(Array.isArray(res.body.message)).toBe(true);
    expect((res.body.message as string[]).length).toBeGreaterThan(0);
  }

  /** An RFC 6749 §5.2 refusal of the token endpoint. */
  function expectInvalidGrant(res: HttpResult): void {
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  }

  const someId = '5b0f7c0e-7d3c-4b7e-9a53-1f0e8f3b2a11';
  const routes: Array<[string, (id: string) => string, unknown]> = [
    ['GET', () => '/api/users', undefined],
    ['POST', () => '/api/users', { username: 'x-never-created', password: strongPassword() }],
    ['GET', (id) => `/api/users/${id}`, undefined],
    ['PUT', (id) => `/api/users/${id}/roles`, { roles: ['admin'] }],
    ['PATCH', (id) => `/api/users/${id}/status`, { status: 'disabled' }],
  ];

  it('answers a request without a token with 401 and a bare Bearer challenge (RFC 6750 §3.1), on every route', async () => {
    const all = [
      ...routes,
      ['GET', () => '/api/users/me', undefined] as const,
      ['POST', () => '/api/users/me/password', { currentPassword: 'a', newPassword: 'b' }] as const,
    ];
    for (const [method, path, body] of all) {
      const res = await api(method, path(admin.id), { body });
      expect(res.status).toBe(401);
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(challenge.startsWith('Bearer')).toBe(true);
      expect(challenge).not.toContain('error=');
      expect(res.body.statusCode).toBe(401);
    }
  });

  it('answers a forged token with 401 invalid_token', async () => {
    const [header, payload] = admin.token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const res = await api('GET', '/api/users', { token: forged });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('refuses a user without the users permissions (a developer) with 403 on every admin route, and changes nothing', async () => {
    const developer = await newAccount(['developer']);
    expect(decodeJwt(developer.token).payload.roles).toEqual(['developer']);
    for (const [method, path, body] of routes) {
      const res = await api(method, path(admin.id), { token: developer.token, body });
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="insufficient_scope"/);
    }
    expect(await usernameCount('x-never-created')).toBe(0);
    const adminNow = await api('GET', `/api/users/${admin.id}`, { token: admin.token });
    expect(adminNow.body).toMatchObject({ status: 'active', roles: ['admin'] });

    // The same token still reads its own account.
    const me = await api('GET', '/api/users/me', { token: developer.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: developer.id, roles: ['developer'] });
  });

  it('creates a user: 201 with the account field by field, which can then sign in; audited with the admin as actor', async () => {
    const username = unique('Created');
    const password = strongPassword();
    const res = await api('POST', '/api/users', {
      token: admin.token,
      body: { username, password, email: 'someone@example.com', roles: ['developer'] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username,
      email: 'someone@example.com',
      status: 'active',
      roles: ['developer'],
      permissions: ['clients:register'],
      lockedUntil: null,
      lastLoginAt: null,
      passwordChangedAt: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const created = res.body as unknown as UserJson;
    expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);

    const read = await api('GET', `/api/users/${created.id}`, { token: admin.token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);

    const token = await signIn(username, password);
    expect(decodeJwt(token).payload).toMatchObject({ sub: created.id, roles: ['developer'] });

    const events = await server.get(AuditService).recent('user.created');
    expect(events.find((event) => event.subjectId === created.id)).toMatchObject({
      actorId: admin.id,
      details: { username, roles: ['developer'] },
    });
  });

  it('creates a user without email or roles', async () => {
    const username = unique('plain');
    const res = await api('POST', '/api/users', {
      token: admin.token,
      body: { username, password: strongPassword() },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username, email: null, roles: [], permissions: [] });
  });

  it('accepts the limits exactly: a 64-character username, a 254-character email, a 72-byte password', async () => {
    const username = `u${randomBytes(8).toString('hex')}`.padEnd(64, 'x');
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(email.length).toBe(254);
    // 36 two-byte characters: 72 bytes, the most bcrypt reads.
    const password = 'é'.repeat(36);
    const res = await api('POST', '/api/users', {
      token: admin.token,
      body: { username, password, email },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username, email });
    expect((await passwordGrant(username, password)).status).toBe(200);
  });

  it('refuses a username taken in another case with 409 and keeps the first account', async () => {
    const username = unique('Dup-Name');
    const first = await api('POST', '/api/users', {
      token: admin.token,
      body: { username, password: strongPassword() },
    });
    expect(first.status).toBe(201);
    const password = strongPassword();
    const second = await api('POST', '/api/users', {
      token: admin.token,
      body: { username: username.toUpperCase(), password },
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ statusCode: 409, message: expect.any(String) });
    expect(await usernameCount(username)).toBe(1);
    expectInvalidGrant(await passwordGrant(username, password));
  });

  it('refuses an unknown role with 400 naming it, and creates nothing', async () => {
    const username = unique('unknown-role');
    const res = await api('POST', '/api/users', {
      token: admin.token,
      body: { username, password: strongPassword(), roles: ['developer', 'superuser'] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('superuser'),
    });
    expect(await usernameCount(username)).toBe(0);
  });

  it('refuses fields the body does not define (mass assignment) with 400, and creates nothing', async () => {
    const attempts: Array<Record<string, unknown>> = [
      { status: 'disabled' },
      { passwordHash: '$2b$04$abcdefghijklmnopqrstuuJ0B2hOBKr8b6Y8aW9ZP4Xt3H1YvqLNe' },
      { password_hash: 'x' },
      { id: '00000000-0000-4000-8000-000000000000' },
      { permissions: ['users:write'] },
      { failedLoginCount: 0 },
      { createdAt: '2000-01-01T00:00:00.000Z' },
    ];
    for (const extra of attempts) {
      const username = unique('mass');
      const res = await api('POST', '/api/users', {
        token: admin.token,
        body: { username, password: strongPassword(), ...extra },
      });
      expectValidationError(res);
      expect((res.body.message as string[]).join(' ')).toContain(
        `property ${Object.keys(extra)[0]} should not exist`,
      );
      expect(await usernameCount(username)).toBe(0);
    }
  });

  it('refuses wrong types, malformed and oversized values with 400 {statusCode, message: [...]}, and creates nothing', async () => {
    const base = () => ({ username: unique('shape'), password: strongPassword() });
    const cases: Array<[string, Record<string, unknown>]> = [
      ['a 65-character username', { username: 'u'.repeat(65) }],
      ['a username with a space', { username: 'two words' }],
      ['a non-ASCII username', { username: 'jos\u00e9-ascii-only' }],
      ['an empty username', { username: '' }],
      ['a number as username', { username: 12345 }],
      ['no username', { username: undefined }],
      [
        'a 255-character email',
        { email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com` },
      ],
      ['a malformed email', { email: 'not-an-email' }],
      ['an email as an array', { email: ['a@example.com'] }],
      ['a 73-byte ASCII password', { password: 'p'.repeat(73) }],
      ['a 74-byte password of only 37 characters', { password: '\u00e9'.repeat(37) }],
      ['an 11-character password', { password: 'eleven-char' }],
      ['a number as password', { password: 123456789012345 }],
      ['no password', { password: undefined }],
      ['21 roles', { roles: Array.from({ length: 21 }, (_, i) => `role-${i}`) }],
      ['a 65-character role name', { roles: ['r'.repeat(65)] }],
      ['roles as a string', { roles: 'admin' }],
      ['a number among the roles', { roles: [1] }],
    ];
    for (const [what, change] of cases) {
      const body = { ...base(), ...change };
      const res = await api('POST', '/api/users', { token: admin.token, body });
      try {
        expectValidationError(res);
      } catch (error) {
        throw new Error(`${what}: ${(error as Error).message}`);
      }
      if (typeof body.username === 'string' && body.username)
        expect(await usernameCount(body.username)).toBe(0);
    }

    // A password equal to the username, in any case, is refused too.
    const username = unique('Same-As-Password');
    const same = await api('POST', '/api/users', {
      token: admin.token,
      body: { username, password: username.toLowerCase() },
    });
    expectValidationError(same);
    expect(await usernameCount(username)).toBe(0);
  });

  it('refuses a body that is not a JSON object with 400', async () => {
    const asArray = await api('POST', '/api/users', {
      token: admin.token,
      raw: JSON.stringify([{ username: unique('arr'), password: strongPassword() }]),
      headers: { 'content-type': 'application/json' },
    });
    expect(asArray.status).toBe(400);
  });

  it('refuses a body that is not application/json with 415 {statusCode, message}, and creates nothing', async () => {
    const username = unique('form');
    const password = strongPassword();
    for (const [contentType, raw] of [
      ['application/x-www-form-urlencoded', new URLSearchParams({ username, password }).toString()],
      ['text/plain', JSON.stringify({ username, password })],
      ['application/jsonp', JSON.stringify({ username, password })],
    ]) {
      const res = await api('POST', '/api/users', {
        token: admin.token,
        raw,
        headers: { 'content-type': contentType },
      });
      expect(res.status).toBe(415);
      expect(res.body).toEqual({
        statusCode: 415,
        message: 'the request body must be application/json',
      });
    }
    expect(await usernameCount(username)).toBe(0);
    // The type's parameters and case do not matter.
    const created = await api('POST', '/api/users', {
      token: admin.token,
      raw: JSON.stringify({ username, password }),
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
    });
    expect(created.status).toBe(201);
  });

  it('answers every /api request no-store, a refusal included', async () => {
    const me = await api('GET', '/api/users/me', { token: admin.token });
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    const refused = await api('GET', '/api/users');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    const malformed = await api('POST', '/api/users', {
      token: admin.token,
      raw: '{"username": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.statusCode).toBe(400);
  });

  it('lists users in pages of a stable order (creation time), with total, limit and offset', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await newAccount()).id);

    const first = await api('GET', '/api/users', { token: admin.token });
    expect(first.status).toBe(200);
    const firstPage = first.body as unknown as PageJson;
    expect(firstPage).toMatchObject({ limit: 20, offset: 0 });
    expect(firstPage.total).toBeGreaterThanOrEqual(6);
    expect(firstPage.items.length).toBe(Math.min(20, firstPage.total));
    // The bootstrap admin was created first of all.
    expect(firstPage.items[0].id).toBe(admin.id);

    const everyone = await allUsers();
    expect(everyone.length).toBe(firstPage.total);
    // The newest accounts come last, in the order they were created.
    expect(everyone.slice(-5).map((user) => user.id)).toEqual(created);

    const paged: string[] = [];
    for (let offset = 0; offset < firstPage.total; offset += 2) {
      const res = await api('GET', `/api/users?limit=2&offset=${offset}`, { token: admin.token });
      expect(res.status).toBe(200);
      const page = res.body as unknown as PageJson;
      expect(page).toMatchObject({ limit: 2, offset, total: firstPage.total });
      expect(page.items.length).toBe(Math.min(2, firstPage.total - offset));
      paged.push(...page.items.map((user) => user.id));
    }
    expect(paged).toEqual(everyone.map((user) => user.id));
    expect(new Set(paged).size).toBe(paged.length);

    const beyond = await api('GET', `/api/users?offset=${firstPage.total + 10}`, {
      token: admin.token,
    });
    expect(beyond.status).toBe(200);
    expect(beyond.body).toMatchObject({ items: [], total: firstPage.total });

    const most = await api('GET', '/api/users?limit=100', { token: admin.token });
    expect(most.status).toBe(200);
    expect(most.body.limit).toBe(100);
  });

  it('refuses page parameters out of range or of the wrong type, and unknown ones, with 400', async () => {
    for (const query of [
      'limit=101',
      'limit=0',
      'limit=-1',
      'limit=abc',
      'limit=1.5',
      'limit=',
      'offset=-1',
      'offset=abc',
      'limit=1&limit=2',
      'status=active',
      'sort=password_hash',
    ]) {
      const res = await api('GET', `/api/users?${query}`, { token: admin.token });
      try {
        expectValidationError(res);
      } catch (error) {
        throw new Error(`?${query}: ${(error as Error).message}`);
      }
    }
  });

  it('reads one user by id: 200, 404 for an id nobody has, 400 for an id that is not a UUID', async () => {
    const account = await newAccount(['developer']);
    const res = await api('GET', `/api/users/${account.id}`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: account.id, username: account.username });
    // The sign-in of newAccount() is on record.
    expect(typeof res.body.lastLoginAt).toBe('string');

    const missing = await api('GET', `/api/users/${someId}`, { token: admin.token });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, message: expect.any(String) });

    for (const id of ['not-a-uuid', '1', `${account.id}x`]) {
      const bad = await api('GET', `/api/users/${id}`, { token: admin.token });
      expect(bad.status).toBe(400);
      expect(bad.body.statusCode).toBe(400);
    }
  });

  it('replaces the role set (PUT): 200 with the new roles and permissions, idempotent, effective in new tokens, audited', async () => {
    const account = await newAccount(['developer']);
    const promoted = await setRoles(admin.token, account.id, ['admin']);
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ id: account.id, roles: ['admin'] });
    expect(promoted.body.permissions).toEqual(expect.arrayContaining(ADMIN_PERMISSIONS));

    const again = await setRoles(admin.token, account.id, ['admin', 'admin']);
    expect(again.status).toBe(200);
    expect(again.body.roles).toEqual(['admin']);

    // Roles travel in tokens: a new one carries them and opens the admin routes.
    const token = await signIn(account.username, account.password);
    expect(decodeJwt(token).payload.roles).toEqual(['admin']);
    expect((await api('GET', '/api/users', { token })).status).toBe(200);

    const both = await setRoles(admin.token, account.id, ['developer', 'admin']);
    expect(both.body.roles).toEqual(['admin', 'developer']);
    const none = await setRoles(admin.token, account.id, []);
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ roles: [], permissions: [] });

    const events = await server.get(AuditService).recent('user.roles_changed');
    const mine = events.filter((event) => event.subjectId === account.id);
    expect(mine.length).toBe(4);
    expect(mine[0]).toMatchObject({
      actorId: admin.id,
      details: { from: ['admin', 'developer'], to: [] },
    });
  });

  it('refuses on /api at once a token that claims a role taken away since: a demoted admin cannot give it back', async () => {
    const demoted = await newAccount(['admin', 'developer']);
    expect((await setRoles(admin.token, demoted.id, ['developer'])).status).toBe(200);

    // The token still says admin; the account no longer is one.
    expect(decodeJwt(demoted.token).payload.roles).toEqual(['admin', 'developer']);
    const comeback = await setRoles(demoted.token, demoted.id, ['admin', 'developer']);
    expect(comeback.status).toBe(401);
    expect(comeback.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const backdoor = await api('POST', '/api/users', {
      token: demoted.token,
      body: { username: unique('backdoor'), password: strongPassword(), roles: ['admin'] },
    });
    expect(backdoor.status).toBe(401);
    expect((await api('GET', '/api/users/me', { token: demoted.token })).status).toBe(401);
    const now = await api('GET', `/api/users/${demoted.id}`, { token: admin.token });
    expect(now.body.roles).toEqual(['developer']);

    // A new token carries what the account holds; a role given later leaves it valid.
    const fresh = await signIn(demoted.username, demoted.password);
    expect(decodeJwt(fresh).payload.roles).toEqual(['developer']);
    expect((await setRoles(admin.token, demoted.id, ['admin', 'developer'])).status).toBe(200);
    const me = await api('GET', '/api/users/me', { token: fresh });
    expect(me.status).toBe(200);
    expect(me.body.roles).toEqual(['admin', 'developer']);
  });

  it('refuses a role change with an unknown role, a bad shape, or for nobody, and changes nothing', async () => {
    const account = await newAccount(['developer']);
    const unknown = await setRoles(admin.token, account.id, ['admin', 'superuser']);
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toEqual(expect.stringContaining('superuser'));

    for (const body of [
      {},
      { roles: 'admin' },
      { roles: [null] },
      { roles: Array.from({ length: 21 }, (_, i) => `r${i}`) },
      { roles: ['admin'], status: 'disabled' },
      { roles: ['admin'], id: someId },
    ]) {
      const res = await api('PUT', `/api/users/${account.id}/roles`, { token: admin.token, body });
      expectValidationError(res);
    }
    const after = await api('GET', `/api/users/${account.id}`, { token: admin.token });
    expect(after.body).toMatchObject({ roles: ['developer'], status: 'active' });

    expect((await setRoles(admin.token, someId, ['developer'])).status).toBe(404);
    expect((await setRoles(admin.token, 'nobody', ['developer'])).status).toBe(400);
  });

  it('disables a user: password grant and refresh get invalid_grant at once; re-activation lets the user sign in again; audited', async () => {
    const account = await newAccount();
    const grant = await passwordGrant(account.username, account.password);
    expect(grant.status).toBe(200);
    const refreshToken = grant.body.refresh_token as string;

    const disabled = await setStatus(admin.token, account.id, 'disabled');
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: account.id, status: 'disabled' });

    expectInvalidGrant(await passwordGrant(account.username, account.password));
    expectInvalidGrant(
      await tokenRequest(server.url, CONSOLE, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }),
    );

    // The access token it still holds is dead for the platform API at once (checked online).
    const change = await changePassword(account.token, {
      currentPassword: account.password,
      newPassword: strongPassword(),
    });
    expect(change.status).toBe(401);

    const again = await setStatus(admin.token, account.id, 'disabled');
    expect(again.status).toBe(200);

    const active = await setStatus(admin.token, account.id, 'active');
    expect(active.status).toBe(200);
    expect(active.body.status).toBe('active');
    expect((await passwordGrant(account.username, account.password)).status).toBe(200);
    // The refresh token presented while disabled was revoked with its family, for good.
    expectInvalidGrant(
      await tokenRequest(server.url, CONSOLE, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }),
    );

    const events = (await server.get(AuditService).recent('user.status_changed')).filter(
      (event) => event.subjectId === account.id,
    );
    expect(events.map((event) => event.details)).toEqual([
      { from: 'disabled', to: 'active' },
      { from: 'disabled', to: 'disabled' },
      { from: 'active', to: 'disabled' },
    ]);
    for (const event of events) expect(event.actorId).toBe(admin.id);
  });

  it('ends every grant of a disabled user and of a changed password: an unused refresh token stays dead after re-activation', async () => {
    const account = await newAccount();
    const unused = (await passwordGrant(account.username, account.password)).body
      .refresh_token as string;
    expect((await setStatus(admin.token, account.id, 'disabled')).status).toBe(200);
    expect((await setStatus(admin.token, account.id, 'active')).status).toBe(200);
    expectInvalidGrant(
      await tokenRequest(server.url, CONSOLE, {
        grant_type: 'refresh_token',
        refresh_token: unused,
      }),
    );

    // RFC 9700 §4.14: a new password ends the grants obtained with the old one.
    const beforeChange = (await passwordGrant(account.username, account.password)).body
      .refresh_token as string;
    const token = await signIn(account.username, account.password);
    const newPassword = strongPassword();
    expect(
      (await changePassword(token, { currentPassword: account.password, newPassword })).status,
    ).toBe(204);
    expectInvalidGrant(
      await tokenRequest(server.url, CONSOLE, {
        grant_type: 'refresh_token',
        refresh_token: beforeChange,
      }),
    );
    const after = await passwordGrant(account.username, newPassword);
    expect(after.status).toBe(200);
    const renewed = await tokenRequest(server.url, CONSOLE, {
      grant_type: 'refresh_token',
      refresh_token: after.body.refresh_token as string,
    });
    expect(renewed.status).toBe(200);
  });

  it('unlocks a locked account by setting it active, which also resets the failure counter', async () => {
    const account = await newAccount();
    const fail = () => passwordGrant(account.username, 'not-the-password');

    // Two failures, then an admin re-activates: the count starts again from zero,
    // so two more failures still do not reach the threshold of three.
    for (let i = 0; i < MAX_FAILED_ATTEMPTS - 1; i++) expectInvalidGrant(await fail());
    expect((await setStatus(admin.token, account.id, 'active')).status).toBe(200);
    for (let i = 0; i < MAX_FAILED_ATTEMPTS - 1; i++) expectInvalidGrant(await fail());
    expect((await passwordGrant(account.username, account.password)).status).toBe(200);

    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) expectInvalidGrant(await fail());
    expectInvalidGrant(await passwordGrant(account.username, account.password));
    const locked = await api('GET', `/api/users/${account.id}`, { token: admin.token });
    expect(locked.body.status).toBe('locked');
    expect(new Date(locked.body.lockedUntil as string).getTime()).toBeGreaterThan(Date.now());

    const unlocked = await setStatus(admin.token, account.id, 'active');
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ status: 'active', lockedUntil: null });
    expect((await passwordGrant(account.username, account.password)).status).toBe(200);
  });

  it('refuses other statuses and extra fields with 400, unknown ids with 404, and changes nothing', async () => {
    const account = await newAccount();
    for (const body of [
      { status: 'locked' },
      { status: 'DISABLED' },
      { status: '' },
      { status: 1 },
      {},
      { status: 'disabled', roles: ['admin'] },
      { status: 'disabled', failedLoginCount: 0 },
    ]) {
      const res = await api('PATCH', `/api/users/${account.id}/status`, {
        token: admin.token,
        body,
      });
      expectValidationError(res);
    }
    const after = await api('GET', `/api/users/${account.id}`, { token: admin.token });
    expect(after.body).toMatchObject({ status: 'active', roles: [] });
    expect((await passwordGrant(account.username, account.password)).status).toBe(200);

    expect((await setStatus(admin.token, someId, 'disabled')).status).toBe(404);
    expect((await setStatus(admin.token, someId, 'active')).status).toBe(404);
    expect((await setStatus(admin.token, 'nobody', 'active')).status).toBe(400);
  });

  it('never lets the last active admin be disabled or lose the admin role (409), whoever asks', async () => {
    await keepOnlyActiveAdmins(admin.id);

    const disableSelf = await setStatus(admin.token, admin.id, 'disabled');
    expect(disableSelf.status).toBe(409);
    expect(disableSelf.body).toMatchObject({ statusCode: 409, message: expect.any(String) });
    expect((await setRoles(admin.token, admin.id, ['developer'])).status).toBe(409);
    expect((await setRoles(admin.token, admin.id, [])).status).toBe(409);
    const unchanged = await api('GET', `/api/users/${admin.id}`, { token: admin.token });
    expect(unchanged.body).toMatchObject({ status: 'active', roles: ['admin'] });
    expect((await passwordGrant(ADMIN.username, ADMIN.password)).status).toBe(200);

    // A disabled admin is not an active one: it may lose the role freely.
    const formerAdmin = await newAccount(['admin']);
    expect((await setStatus(admin.token, formerAdmin.id, 'disabled')).status).toBe(200);
    expect((await setRoles(admin.token, formerAdmin.id, ['developer'])).status).toBe(200);
    // Changing the last admin's other roles, keeping admin, is fine.
    expect((await setRoles(admin.token, admin.id, ['admin', 'developer'])).status).toBe(200);
    expect((await setRoles(admin.token, admin.id, ['admin'])).status).toBe(200);

    // With a second active admin, either may be demoted, by itself or by the other...
    const second = await newAccount(['admin']);
    expect((await setStatus(second.token, admin.id, 'disabled')).status).toBe(200);
    // ...and then the second is the last one, protected in its turn.
    expect((await setStatus(second.token, second.id, 'disabled')).status).toBe(409);
    expect((await setRoles(second.token, second.id, [])).status).toBe(409);
    expect((await setStatus(second.token, admin.id, 'active')).status).toBe(200);
    // Disabling ended the admin's grants for good: its earlier token no longer opens /api
    // (the platform API checks tokens online), even after re-activation. It signs in again.
    expect((await api('GET', '/api/users/me', { token: admin.token })).status).toBe(401);
    admin.token = await signIn(ADMIN.username, ADMIN.password);
    expect((await setRoles(admin.token, second.id, ['developer'])).status).toBe(200);

    const admins = (await allUsers()).filter(isActiveAdmin).map((user) => user.id);
    expect(admins).toEqual([admin.id]);
  });

  it('keeps an active admin when the last two demote each other at the same moment', async () => {
    const other = await newAccount(['admin']);
    await keepOnlyActiveAdmins(admin.id, other.id);

    for (let round = 0; round < 6; round++) {
      // Alternate the kinds of demotion: disable against disable, and strip against disable.
      const [first, second] = await Promise.all([
        round % 2 === 0
          ? setStatus(admin.token, other.id, 'disabled')
          : setRoles(admin.token, other.id, []),
        setStatus(other.token, admin.id, 'disabled'),
      ]);
      // The loser gets 409, or 401 when the winner disabled it first (its token died with it).
      expect(first.status === 200 || second.status === 200).toBe(true);
      const losers = [first.status, second.status].filter((status) => status !== 200);
      expect(losers).toHaveLength(1);
      expect([409, 401]).toContain(losers[0]);
      // Restore both as active admins; a disabled one signs in again (its grants ended).
      const survivor = first.status === 200 ? admin : other;
      const restored = survivor === admin ? other : admin;
      expect((await allUsers(survivor.token)).filter(isActiveAdmin).length).toBe(1);
      expect((await setStatus(survivor.token, restored.id, 'active')).status).toBe(200);
      expect((await setRoles(survivor.token, restored.id, ['admin'])).status).toBe(200);
      restored.token = await signIn(restored.username, restored.password);
    }
    expect((await setRoles(admin.token, other.id, [])).status).toBe(200);
  });

  it('GET /me returns the caller’s own account; a client-credentials token has none (404)', async () => {
    const account = await newAccount(['developer']);
    const me = await api('GET', '/api/users/me', { token: account.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: account.id, username: account.username });

    const service = await createClient(server, { grantTypes: ['client_credentials'] });
    const grant = await tokenRequest(server.url, service, { grant_type: 'client_credentials' });
    expect(grant.status).toBe(200);
    const clientToken = grant.body.access_token as string;
    const res = await api('GET', '/api/users/me', { token: clientToken });
    expect(res.status).toBe(404);
    expect(res.body.statusCode).toBe(404);
    const change = await changePassword(clientToken, {
      currentPassword: 'anything-at-all',
      newPassword: strongPassword(),
    });
    expect(change.status).toBe(404);
  });

  it('changes the caller’s password: 204, then the old password fails and the new one works at the token endpoint; audited', async () => {
    const account = await newAccount();
    const newPassword = strongPassword();
    const res = await changePassword(account.token, {
      currentPassword: account.password,
      newPassword,
    });
    expect(res.status).toBe(204);

    expectInvalidGrant(await passwordGrant(account.username, account.password));
    expect((await passwordGrant(account.username, newPassword)).status).toBe(200);

    const events = await server.get(AuditService).recent('user.password_changed');
    expect(events.find((event) => event.subjectId === account.id)).toMatchObject({
      actorId: account.id,
    });
    const read = await api('GET', `/api/users/${account.id}`, { token: admin.token });
    expect(Date.parse(read.body.passwordChangedAt as string)).toBeGreaterThan(
      Date.parse(account.user.passwordChangedAt),
    );
  });

  it('refuses a wrong current password with 400 and counts it toward the lockout; a locked account is refused even with the right one', async () => {
    const account = await newAccount();
    const newPassword = strongPassword();
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) {
      const res = await changePassword(account.token, {
        currentPassword: `wrong-${i}`,
        newPassword,
      });
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
    }
    // Three wrong current passwords locked the account, for the token endpoint too.
    expectInvalidGrant(await passwordGrant(account.username, account.password));
    const locked = await changePassword(account.token, {
      currentPassword: account.password,
      newPassword,
    });
    expect(locked.status).toBe(400);
    expectInvalidGrant(await passwordGrant(account.username, newPassword));

    const failures = (await server.get(AuditService).recent('user.login_failed')).filter(
      (event) => event.subjectId === account.id,
    );
    expect(failures.length).toBe(MAX_FAILED_ATTEMPTS - 1);
    expect(failures[0].details).toMatchObject({ via: 'password_change' });
    const lockEvents = await server.get(AuditService).recent('user.locked');
    expect(lockEvents.some((event) => event.subjectId === account.id)).toBe(true);

    expect((await setStatus(admin.token, account.id, 'active')).status).toBe(200);
    expect((await passwordGrant(account.username, account.password)).status).toBe(200);
  });

  it('refuses a new password against the policy or a malformed body with 400, and keeps the old password', async () => {
    const account = await newAccount();
    const bodies: Array<[string, Record<string, unknown>]> = [
      ['11 characters', { newPassword: 'eleven-char' }],
      ['73 bytes', { newPassword: 'n'.repeat(73) }],
      ['74 bytes in 37 characters', { newPassword: '\u00e9'.repeat(37) }],
      ['the username', { newPassword: account.username }],
      ['the username in capitals', { newPassword: account.username.toUpperCase() }],
      ['the current password', { newPassword: account.password }],
      ['a number', { newPassword: 1234567890123 }],
      ['no new password', { newPassword: undefined }],
      ['no current password', { currentPassword: undefined }],
      ['an extra field', { status: 'active' }],
      ['an extra hash', { passwordHash: 'x' }],
    ];
    for (const [what, change] of bodies) {
      const body = { currentPassword: account.password, newPassword: strongPassword(), ...change };
      const res = await changePassword(account.token, body);
      try {
        expectValidationError(res);
      } catch (error) {
        throw new Error(`${what}: ${(error as Error).message}`);
      }
    }
    expect((await passwordGrant(account.username, account.password)).status).toBe(200);
    // None of the refusals above was a wrong current password: nothing counted toward the lockout.
    const failures = (await server.get(AuditService).recent('user.login_failed')).filter(
      (event) => event.subjectId === account.id,
    );
    expect(failures).toEqual([]);
  });

  it('never returns a password or its hash, in any listing', async () => {
    const everyone = await allUsers();
    expect(everyone.length).toBeGreaterThan(10);
    for (const user of everyone) {
      expect(Object.keys(user).sort()).toEqual(
        [
          'createdAt',
          'email',
          'id',
          'lastLoginAt',
          'lockedUntil',
          'passwordChangedAt',
          'permissions',
          'roles',
          'status',
          'updatedAt',
          'username',
        ].sort(),
      );
    }
    const raw = await fetch(`${server.url}/api/users?limit=100`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    const text = await raw.text();
    expect(text).not.toMatch(/passwordHash|password_hash/);
    expect(text).not.toMatch(BCRYPT_HASH);
  });
});
