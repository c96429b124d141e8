import { randomBytes } from 'node:crypto';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { createUser, introspect } from './support/fixtures';
import { HttpResult, tokenRequest } from './support/http';
import { ADMIN, CONSOLE, startServer, TestServer } from './support/test-server';

type Json = Record<string, unknown>;

interface ClientView {
  id: string;
  client_id: string | null;
  name: string;
  description: string | null;
  status: string;
  status_reason: string | null;
  first_party: boolean;
  grant_types: string[];
  scope: string;
  redirect_uris: string[];
  requested_grant_types: string[];
  requested_scope: string;
  owner_id: string | null;
}

interface AuditView {
  id: string;
  type: string;
  actor_id: string | null;
  client_id: string | null;
  subject_id: string | null;
  ip: string | null;
  details: Json;
  created_at: string;
}

interface AuditPage {
  items: AuditView[];
  total: number;
  limit: number;
  offset: number;
}

interface Person {
  id: string;
  username: string;
  password: string;
  token: string;
}

/** A valid registration body; each test changes what it is about. */
function registration(overrides: Json = {}): Json {
  return {
    name: `app-${randomBytes(3).toString('hex')}`,
    description: 'An application under review',
    contact: 'team@example.com',
    grant_types: ['client_credentials'],
    scope: 'orders:read',
    ...overrides,
  };
}

/** `/api` error messages are a string or a list of strings (ValidationPipe); one text to search. */
function messageOf(res: HttpResult): string {
  const message = res.body.message;
  return Array.isArray(message) ? message.join('\n') : String(message);
}

/** The secret rotation grace period of the server under test. */
const GRACE_SECONDS = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SPEC flow 4 in detail (issue 4): registration rules, who may touch what, the
 * review state machine and its races, credentials and their rotation,
 * suspension through real token requests, the audit trail, the API document.
 */
describe.each(DATABASES)('client registration and review on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;
  let admin: Person;
  let dev: Person;
  let otherDev: Person;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    // One server for the whole file: a second in-process server would take over the
    // process-wide passport strategy that guards /api. Its short rotation grace
    // period is what the rotation test waits out; no other test depends on it.
    server = await startServer(db.url, {
      CLIENT_SECRET_ROTATION_GRACE_SECONDS: String(GRACE_SECONDS),
    });
    admin = { id: '', ...ADMIN, token: await userToken(ADMIN.username, ADMIN.password) };
    admin.id = (await api('GET', '/api/users/me', admin.token)).body.id as string;
    dev = await person(['developer']);
    otherDev = await person(['developer']);
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  // ---- helpers (over HTTP; the database only to count and to check what is stored) ----

  async function userToken(username: string, password: string): Promise<string> {
    const res = await tokenRequest(server.url, CONSOLE, {
      grant_type: 'password',
      username,
      password,
    });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  async function person(roles: string[]): Promise<Person> {
    const user = await createUser(server, { roles });
    return { ...user, token: await userToken(user.username, user.password) };
  }

  async function api(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<HttpResult> {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.status, headers: res.headers, body: parsed as Json };
  }

  async function register(who: Person, body: Json = registration()) {
    const res = await api('POST', '/api/clients', who.token, body);
    expect(res.status).toBe(201);
    return res.body as unknown as ClientView;
  }

  async function approve(id: string, body: Json = {}, by = admin) {
    const res = await api('POST', `/api/admin/clients/${id}/approve`, by.token, body);
    expect(res.status).toBe(200);
    return res.body as unknown as ClientView;
  }

  async function review(id: string, action: string, body?: Json, by = admin) {
    return api('POST', `/api/admin/clients/${id}/${action}`, by.token, body);
  }

  async function issueSecret(id: string, owner: Person) {
    const res = await api('POST', `/api/clients/${id}/secret`, owner.token);
    expect(res.status).toBe(201);
    return res.body as {
      client_id: string;
      client_secret: string;
      secret_id: string;
      previous_secrets_expire_at: string | null;
    };
  }

  async function countClients(): Promise<number> {
    const rows: Array<{ n: number | string }> = await server.dataSource.query(
      'SELECT COUNT(*) AS n FROM clients',
    );
    return Number(rows[0].n);
  }

  async function statusInDb(id: string): Promise<{ status: string; client_id: string | null }> {
    const rows: Array<{ status: string; client_id: string | null }> = await server.dataSource.query(
      'SELECT status, client_id FROM clients WHERE id = ?',
      [id],
    );
    return rows[0];
  }

  async function audit(query: Record<string, string | number>): Promise<AuditPage> {
    const qs = new URLSearchParams(
      Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]),
    );
    const res = await api('GET', `/api/admin/audit?${qs.toString()}`, admin.token);
    expect(res.status).toBe(200);
    return res.body as unknown as AuditPage;
  }

  /** A pending registration brought to `status` through the API. */
  async function clientIn(status: string): Promise<ClientView> {
    const client = await register(dev);
    if (status === 'pending') return client;
    if (status === 'withdrawn') {
      expect((await api('DELETE', `/api/clients/${client.id}`, dev.token)).status).toBe(200);
    } else if (status === 'rejected') {
      expect((await review(client.id, 'reject', { reason: 'not needed' })).status).toBe(200);
    } else {
      await approve(client.id);
      if (status === 'suspended')
        expect((await review(client.id, 'suspend', { reason: 'incident' })).status).toBe(200);
    }
    expect((await statusInDb(client.id)).status).toBe(status);
    return client;
  }

  // ---- registration ----

  describe('registration validation', () => {
    it.each<[string, Json, RegExp]>([
      [
        'a relative redirect URI',
        { grant_types: ['authorization_code'], redirect_uris: ['/callback'] },
        /redirect_uris: \/callback must be an absolute URI/,
      ],
      [
        'an http redirect URI on a non-loopback host',
        { grant_types: ['authorization_code'], redirect_uris: ['http://app.example.com/cb'] },
        /redirect_uris: http:\/\/app\.example\.com\/cb must use https/,
      ],
      [
        'a redirect URI with a fragment',
        { grant_types: ['authorization_code'], redirect_uris: ['https://app.example.com/cb#x'] },
        /must not contain a fragment/,
      ],
      [
        'a redirect URI the browser would read as another host (backslash)',
        {
          grant_types: ['authorization_code'],
          redirect_uris: ['https://evil.example\\@good.example/cb'],
        },
        /must be written as a URL parser writes it back \(https:\/\/evil\.example\/@good\.example\/cb\)/,
      ],
      ['a null scope', { scope: null }, /scope must be a string/],
      ['a name with a terminal escape', { name: 'Billing\u001b[2J' }, /name must be plain text/],
      [
        'a name that a right-to-left override shows reversed',
        { name: '\u202eppa.gnillib' },
        /name must be plain text/,
      ],
      ['a blank name', { name: '   ' }, /name must be plain text/],
      [
        'a redirect URI with a wildcard',
        { grant_types: ['authorization_code'], redirect_uris: ['https://*.example.com/cb'] },
        /must not contain wildcards/,
      ],
      [
        'an unknown grant type',
        { grant_types: ['implicit'] },
        /each value in grant_types must be one of the following values/,
      ],
      [
        'a scope not in the catalogue',
        { scope: 'orders:read payroll:admin' },
        /not in the catalogue: payroll:admin/,
      ],
      ['an oversized name', { name: 'n'.repeat(101) }, /name must be shorter than or equal to 100/],
      [
        'an oversized description',
        { description: 'd'.repeat(1001) },
        /description must be shorter than or equal to 1000/,
      ],
      [
        'authorization_code without redirect URIs',
        { grant_types: ['authorization_code'] },
        /authorization_code grant needs at least one redirect URI/,
      ],
      [
        'refresh_token alone',
        { grant_types: ['refresh_token'] },
        /refresh_token only comes with password or authorization_code/,
      ],
    ])('refuses %s with 400 and a clear message, creating nothing', async (_case, change, why) => {
      const before = await countClients();
      const res = await api('POST', '/api/clients', dev.token, registration(change));
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
      expect(messageOf(res)).toMatch(why);
      expect(await countClients()).toBe(before);
    });

    it('accepts https and loopback http redirect URIs for authorization_code', async () => {
      const client = await register(
        dev,
        registration({
          grant_types: ['authorization_code', 'refresh_token'],
          redirect_uris: ['https://app.example.com/cb', 'http://127.0.0.1:8080/cb'],
        }),
      );
      expect(client).toMatchObject({
        status: 'pending',
        client_id: null,
        owner_id: dev.id,
        first_party: false,
        grant_types: [],
        requested_grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['https://app.example.com/cb', 'http://127.0.0.1:8080/cb'],
      });
    });
  });

  describe('mass assignment', () => {
    it.each<[string, unknown]>([
      ['status', 'approved'],
      ['client_id', 'tsr_chosen_by_me'],
      ['owner_id', '00000000-0000-4000-8000-000000000000'],
      ['first_party', true],
      ['id', '00000000-0000-4000-8000-000000000001'],
    ])('refuses a registration that sets %s (400, nothing created)', async (field, value) => {
      const before = await countClients();
      const res = await api('POST', '/api/clients', dev.token, registration({ [field]: value }));
      expect(res.status).toBe(400);
      expect(messageOf(res)).toContain(`property ${field} should not exist`);
      expect(await countClients()).toBe(before);
    });

    it('refuses null for a field a change or an approval may leave out (400, not 500), and changes nothing', async () => {
      const client = await register(dev);
      for (const field of ['scope', 'name', 'grant_types', 'redirect_uris', 'description']) {
        const res = await api('PATCH', `/api/clients/${client.id}`, dev.token, { [field]: null });
        expect(res.status).toBe(400);
        expect(messageOf(res)).toContain(field);
      }
      for (const field of ['scope', 'grant_types', 'first_party']) {
        const res = await review(client.id, 'approve', { [field]: null });
        expect(res.status).toBe(400);
        expect(messageOf(res)).toContain(field);
      }
      expect(await statusInDb(client.id)).toEqual({ status: 'pending', client_id: null });
    });

    it('refuses a change that sets status or first_party on a pending registration', async () => {
      const client = await register(dev);
      for (const change of [{ status: 'approved' }, { first_party: true }, { client_id: 'x' }]) {
        const res = await api('PATCH', `/api/clients/${client.id}`, dev.token, change);
        expect(res.status).toBe(400);
      }
      expect(await statusInDb(client.id)).toEqual({ status: 'pending', client_id: null });
    });
  });

  // ---- who may do what ----

  describe('roles and ownership', () => {
    it('refuses registration to a user who is neither developer nor admin (403)', async () => {
      const nobody = await person([]);
      const before = await countClients();
      const res = await api('POST', '/api/clients', nobody.token, registration());
      expect(res.status).toBe(403);
      expect(await countClients()).toBe(before);
    });

    it("hides another developer's registration: read, change and withdraw are 404 and leak nothing", async () => {
      const secretName = `private-${randomBytes(4).toString('hex')}`;
      const theirs = await register(otherDev, registration({ name: secretName }));

      const read = await api('GET', `/api/clients/${theirs.id}`, dev.token);
      const change = await api('PATCH', `/api/clients/${theirs.id}`, dev.token, {
        name: 'taken over',
      });
      const withdraw = await api('DELETE', `/api/clients/${theirs.id}`, dev.token);
      const secret = await api('POST', `/api/clients/${theirs.id}/secret`, dev.token);
      const secrets = await api('GET', `/api/clients/${theirs.id}/secrets`, dev.token);
      // Indistinguishable from an id that does not exist.
      const missing = await api(
        'GET',
        '/api/clients/00000000-0000-4000-8000-00000000abcd',
        dev.token,
      );
      for (const res of [read, change, withdraw, secret, secrets, missing]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual({
          statusCode: 404,
          message: 'no such client registration',
          error: 'Not Found',
        });
        expect(JSON.stringify(res.body)).not.toContain(secretName);
      }
      const mine = await api('GET', '/api/clients', dev.token);
      expect((mine.body.items as ClientView[]).map((c) => c.id)).not.toContain(theirs.id);

      const after = await api('GET', `/api/clients/${theirs.id}`, otherDev.token);
      expect(after.body).toMatchObject({ name: secretName, status: 'pending' });
    });

    it("lets an admin read anyone's registration", async () => {
      const theirs = await register(otherDev);
      const res = await api('GET', `/api/clients/${theirs.id}`, admin.token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: theirs.id, owner_id: otherDev.id, status: 'pending' });
    });

    it('keeps a developer out of /api/admin/* (403)', async () => {
      const client = await register(dev);
      const calls: Array<[string, string, Json?]> = [
        ['GET', '/api/admin/clients?status=pending'],
        ['POST', `/api/admin/clients/${client.id}/approve`, {}],
        ['POST', `/api/admin/clients/${client.id}/reject`, { reason: 'self-review' }],
        ['POST', `/api/admin/clients/${client.id}/suspend`, { reason: 'x' }],
        ['POST', `/api/admin/clients/${client.id}/reinstate`],
        ['GET', '/api/admin/audit'],
      ];
      for (const [method, path, body] of calls) {
        const res = await api(method, path, dev.token, body);
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
      expect(await statusInDb(client.id)).toEqual({ status: 'pending', client_id: null });
    });
  });

  describe("the owner's registrations", () => {
    it('lists, changes while pending, and withdraws', async () => {
      const owner = await person(['developer']);
      const first = await register(owner, registration({ name: 'first' }));
      const second = await register(owner, registration({ name: 'second' }));
      await register(otherDev);

      const list = await api('GET', '/api/clients', owner.token);
      expect(list.status).toBe(200);
      expect(list.body.total).toBe(2);
      expect((list.body.items as ClientView[]).map((c) => c.name).sort()).toEqual([
        'first',
        'second',
      ]);

      const changed = await api('PATCH', `/api/clients/${first.id}`, owner.token, {
        name: 'first, renamed',
        scope: 'orders:read orders:write',
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        name: 'first, renamed',
        requested_scope: 'orders:read orders:write',
        status: 'pending',
      });
      const reread = await api('GET', `/api/clients/${first.id}`, owner.token);
      expect(reread.body).toMatchObject({
        name: 'first, renamed',
        requested_scope: 'orders:read orders:write',
        description: first.description,
      });

      // A change is held to the registration rules too, and a refused one changes nothing.
      const bad = await api('PATCH', `/api/clients/${first.id}`, owner.token, {
        scope: 'nope:nope',
      });
      expect(bad.status).toBe(400);
      expect(messageOf(bad)).toMatch(/not in the catalogue/);
      expect((await api('GET', `/api/clients/${first.id}`, owner.token)).body.requested_scope).toBe(
        'orders:read orders:write',
      );

      const withdrawn = await api('DELETE', `/api/clients/${second.id}`, owner.token);
      expect(withdrawn.status).toBe(200);
      expect(withdrawn.body).toMatchObject({ id: second.id, status: 'withdrawn', client_id: null });
      expect((await statusInDb(second.id)).status).toBe('withdrawn');

      // The list filters by status like the admin queue does.
      const pendingOnly = await api('GET', '/api/clients?status=pending', owner.token);
      expect(pendingOnly.status).toBe(200);
      expect(pendingOnly.body.total).toBe(1);
      expect((pendingOnly.body.items as ClientView[]).map((c) => c.id)).toEqual([first.id]);
      const withdrawnOnly = await api('GET', '/api/clients?status=withdrawn', owner.token);
      expect((withdrawnOnly.body.items as ClientView[]).map((c) => c.id)).toEqual([second.id]);
      const paged = await api('GET', '/api/clients?limit=1&offset=1', owner.token);
      expect(paged.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
      expect(paged.body.items as ClientView[]).toHaveLength(1);
    });

    it.each(['approved', 'rejected', 'withdrawn', 'suspended'])(
      'refuses to change or withdraw a %s registration (409)',
      async (status) => {
        const client = await clientIn(status);
        const before = await statusInDb(client.id);
        const change = await api('PATCH', `/api/clients/${client.id}`, dev.token, {
          name: 'late change',
        });
        expect(change.status).toBe(409);
        expect(messageOf(change)).toContain(`only a pending registration can be changed`);
        expect(messageOf(change)).toContain(status);
        const withdraw = await api('DELETE', `/api/clients/${client.id}`, dev.token);
        expect(withdraw.status).toBe(409);
        expect(messageOf(withdraw)).toBe(
          `cannot withdraw a client that is ${status}; withdraw applies to pending clients only`,
        );
        expect(await statusInDb(client.id)).toEqual(before);
        const reread = await api('GET', `/api/clients/${client.id}`, dev.token);
        expect(reread.body.name).toBe(client.name);
      },
    );
  });

  // ---- the review state machine ----

  describe('review', () => {
    it('serves the pending queue to admins, oldest first', async () => {
      const a = await register(dev);
      const b = await register(dev);
      const approved = await clientIn('approved');
      const queue = await api('GET', '/api/admin/clients?status=pending&limit=100', admin.token);
      expect(queue.status).toBe(200);
      const items = queue.body.items as ClientView[];
      expect(items.every((c) => c.status === 'pending')).toBe(true);
      const ids = items.map((c) => c.id);
      expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
      expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
      expect(ids).not.toContain(approved.id);
    });

    it.each<[string, string, string, Json | undefined]>([
      ['approve', 'rejected', 'pending', {}],
      ['approve', 'approved', 'pending', {}],
      ['suspend', 'pending', 'approved', { reason: 'too early' }],
      ['reinstate', 'approved', 'suspended', undefined],
      ['reject', 'approved', 'pending', { reason: 'too late' }],
      ['reinstate', 'rejected', 'suspended', undefined],
      ['approve', 'withdrawn', 'pending', {}],
      ['reject', 'withdrawn', 'pending', { reason: 'gone' }],
      ['suspend', 'suspended', 'approved', { reason: 'twice' }],
    ])('refuses to %s a %s client (409, nothing changes)', async (action, status, from, body) => {
      const client = await clientIn(status);
      const before = await statusInDb(client.id);
      const res = await review(client.id, action, body);
      expect(res.status).toBe(409);
      expect(res.body.statusCode).toBe(409);
      expect(res.body.message).toBe(
        `cannot ${action} a client that is ${status}; ${action} applies to ${from} clients only`,
      );
      expect(await statusInDb(client.id)).toEqual(before);
    });

    it('asks for a reason to reject or suspend (400)', async () => {
      const client = await register(dev);
      for (const body of [
        {},
        { reason: '' },
        { reason: '  \n ' },
        { reason: 'ok\u0000' },
        { reason: 'r'.repeat(501) },
      ]) {
        expect((await review(client.id, 'reject', body)).status).toBe(400);
      }
      expect((await statusInDb(client.id)).status).toBe('pending');
    });

    it('answers 404 for a registration that does not exist', async () => {
      const res = await review('00000000-0000-4000-8000-0000000000ff', 'approve', {});
      expect(res.status).toBe(404);
    });
  });

  describe('approval', () => {
    it('generates the client_id on approval only', async () => {
      const client = await register(dev);
      expect(client.client_id).toBeNull();
      expect(await statusInDb(client.id)).toEqual({ status: 'pending', client_id: null });
      expect((await api('GET', `/api/clients/${client.id}`, dev.token)).body.client_id).toBeNull();

      const approved = await approve(client.id);
      expect(approved).toMatchObject({ status: 'approved', grant_types: ['client_credentials'] });
      expect(approved.client_id).toMatch(/^tsr_[A-Za-z0-9_-]{16}$/);
      expect(await statusInDb(client.id)).toEqual({
        status: 'approved',
        client_id: approved.client_id,
      });
      const reread = await api('GET', `/api/clients/${client.id}`, dev.token);
      expect(reread.body.client_id).toBe(approved.client_id);
    });

    it('may narrow grant types and scope', async () => {
      const client = await register(
        dev,
        registration({
          grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
          redirect_uris: ['https://app.example.com/cb'],
          scope: 'orders:read orders:write',
        }),
      );
      const approved = await approve(client.id, {
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'orders:read',
      });
      expect(approved).toMatchObject({
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'orders:read',
        requested_grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
        requested_scope: 'orders:read orders:write',
        first_party: false,
      });
    });

    it.each<[string, Json, RegExp]>([
      [
        'a grant type not asked for',
        { grant_types: ['client_credentials', 'authorization_code'] },
        /grant_types may only narrow the request; not requested: authorization_code/,
      ],
      [
        'a scope not asked for',
        { scope: 'orders:read orders:write' },
        /scope may only narrow the request; not requested: orders:write/,
      ],
    ])('refuses to widen with %s (400, still pending)', async (_case, body, why) => {
      const client = await register(dev);
      const res = await review(client.id, 'approve', body);
      expect(res.status).toBe(400);
      expect(messageOf(res)).toMatch(why);
      expect(await statusInDb(client.id)).toEqual({ status: 'pending', client_id: null });
    });

    it('takes nothing but grant_types, scope and first_party in an approval (400)', async () => {
      const client = await register(dev);
      for (const body of [
        { client_id: 'tsr_chosen' },
        { status: 'suspended' },
        { owner_id: admin.id },
        { redirect_uris: ['https://evil.example.com/cb'] },
      ]) {
        const res = await review(client.id, 'approve', body);
        expect(res.status).toBe(400);
        expect(messageOf(res)).toContain(`property ${Object.keys(body)[0]} should not exist`);
      }
      expect(await statusInDb(client.id)).toEqual({ status: 'pending', client_id: null });
    });

    it('refuses the password grant without first_party: true, saying so', async () => {
      const client = await register(
        dev,
        registration({ grant_types: ['password', 'refresh_token'] }),
      );
      for (const body of [{}, { first_party: false }]) {
        const res = await review(client.id, 'approve', body);
        expect(res.status).toBe(400);
        expect(messageOf(res)).toContain('the password grant is only for first-party clients');
        expect(messageOf(res)).toContain('"first_party": true');
      }
      expect(await statusInDb(client.id)).toEqual({ status: 'pending', client_id: null });
    });

    it('approves the password grant with first_party: true, and the grant then works', async () => {
      const client = await register(
        dev,
        registration({ grant_types: ['password', 'refresh_token'], scope: 'orders:read' }),
      );
      const approved = await approve(client.id, { first_party: true });
      expect(approved).toMatchObject({
        status: 'approved',
        first_party: true,
        grant_types: ['password', 'refresh_token'],
      });
      const { client_id, client_secret } = await issueSecret(client.id, dev);
      expect(client_id).toBe(approved.client_id);
      const user = await createUser(server);
      const token = await tokenRequest(
        server.url,
        { clientId: client_id, secret: client_secret },
        { grant_type: 'password', username: user.username, password: user.password },
      );
      expect(token.status).toBe(200);
      expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'orders:read' });
      expect(typeof token.body.refresh_token).toBe('string');
    });

    it('approves without first_party when the admin narrows the password grant away', async () => {
      const client = await register(
        dev,
        registration({ grant_types: ['password', 'refresh_token', 'client_credentials'] }),
      );
      const approved = await approve(client.id, { grant_types: ['client_credentials'] });
      expect(approved).toMatchObject({ grant_types: ['client_credentials'], first_party: false });
      const { client_id, client_secret } = await issueSecret(client.id, dev);
      const creds = { clientId: client_id, secret: client_secret };
      const user = await createUser(server);
      const refused = await tokenRequest(server.url, creds, {
        grant_type: 'password',
        username: user.username,
        password: user.password,
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('unauthorized_client');
      expect(
        (await tokenRequest(server.url, creds, { grant_type: 'client_credentials' })).status,
      ).toBe(200);
    });
  });

  describe('concurrent decisions', () => {
    let secondAdmin: Person;

    beforeAll(async () => {
      const username = `admin2-${randomBytes(3).toString('hex')}`;
      const password = `pw-${randomBytes(12).toString('hex')}`;
      const created = await api('POST', '/api/users', admin.token, {
        username,
        password,
        roles: ['admin'],
      });
      expect(created.status).toBe(201);
      expect(created.body.roles).toEqual(['admin']);
      secondAdmin = {
        id: created.body.id as string,
        username,
        password,
        token: await userToken(username, password),
      };
    });

    it('lets exactly one of two admins approving at once succeed', async () => {
      for (let round = 0; round < 5; round++) {
        const client = await register(dev);
        const results = await Promise.all([
          review(client.id, 'approve', {}, admin),
          review(client.id, 'approve', {}, secondAdmin),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
        const winner = results.find((r) => r.status === 200)!;
        const loser = results.find((r) => r.status === 409)!;
        expect(loser.body.message).toBe(
          'cannot approve a client that is approved; approve applies to pending clients only',
        );
        // The client_id in the store is the winner's; the loser's was never written.
        expect(await statusInDb(client.id)).toEqual({
          status: 'approved',
          client_id: winner.body.client_id,
        });
        const events = await audit({
          type: 'client.approved',
          client_id: winner.body.client_id as string,
        });
        expect(events.total).toBe(1);
      }
    });

    it('lets one of approve and reject at once win, and only that one is recorded', async () => {
      for (let round = 0; round < 5; round++) {
        const client = await register(dev);
        const [approval, rejection] = await Promise.all([
          review(client.id, 'approve', {}, admin),
          review(client.id, 'reject', { reason: 'race' }, secondAdmin),
        ]);
        expect([approval.status, rejection.status].sort()).toEqual([200, 409]);
        const final = await statusInDb(client.id);
        if (approval.status === 200) {
          expect(final).toEqual({ status: 'approved', client_id: approval.body.client_id });
          expect(rejection.body.message).toBe(
            'cannot reject a client that is approved; reject applies to pending clients only',
          );
        } else {
          expect(final).toEqual({ status: 'rejected', client_id: null });
          expect(approval.body.message).toBe(
            'cannot approve a client that is rejected; approve applies to pending clients only',
          );
        }
      }
    });
  });

  // ---- credentials ----

  describe('credentials', () => {
    it('issues a secret of at least 256 bits to the owner, shown once and stored as a hash', async () => {
      const client = await clientIn('approved');
      const res = await api('POST', `/api/clients/${client.id}/secret`, dev.token);
      expect(res.status).toBe(201);
      const issued = res.body as { client_id: string; client_secret: string };
      expect(issued.client_id).toBe((await statusInDb(client.id)).client_id);
      expect(issued.client_secret).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(issued.client_secret, 'base64url').length).toBeGreaterThanOrEqual(32);

      const rows: Array<{ secret_hash: string }> = await server.dataSource.query(
        'SELECT secret_hash FROM client_secrets WHERE client_ref = ?',
        [client.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].secret_hash).not.toBe(issued.client_secret);
      expect(rows[0].secret_hash).not.toContain(issued.client_secret);
      expect(rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);

      const token = await tokenRequest(
        server.url,
        { clientId: issued.client_id, secret: issued.client_secret },
        { grant_type: 'client_credentials' },
      );
      expect(token.status).toBe(200);
    });

    it('issues no secret before approval (409), nor to anyone but the owner, admins included (404)', async () => {
      const pending = await register(dev);
      const early = await api('POST', `/api/clients/${pending.id}/secret`, dev.token);
      expect(early.status).toBe(409);
      expect(messageOf(early)).toContain('approved clients only');

      const approved = await clientIn('approved');
      for (const who of [admin, otherDev]) {
        const res = await api('POST', `/api/clients/${approved.id}/secret`, who.token);
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.body)).not.toMatch(/client_secret/);
      }
      const rows: Array<{ n: number | string }> = await server.dataSource.query(
        'SELECT COUNT(*) AS n FROM client_secrets WHERE client_ref = ?',
        [approved.id],
      );
      expect(Number(rows[0].n)).toBe(0);
    });

    it('rotates with a grace period, revokes an old secret at once, and lists metadata only', async () => {
      // The server runs with a grace period of GRACE_SECONDS, short enough to wait out.
      const owner = await person(['developer']);
      const client = await register(owner);
      const approved = await approve(client.id);
      const clientId = approved.client_id!;
      const works = async (secret: string) =>
        tokenRequest(server.url, { clientId, secret }, { grant_type: 'client_credentials' });

      const first = await issueSecret(client.id, owner);
      expect(first.previous_secrets_expire_at).toBeNull();
      const second = await issueSecret(client.id, owner);
      expect(second.client_secret).not.toBe(first.client_secret);
      const graceEnds = Date.parse(second.previous_secrets_expire_at!);
      expect(graceEnds - Date.now()).toBeGreaterThan(0);
      expect(graceEnds - Date.now()).toBeLessThanOrEqual(GRACE_SECONDS * 1000);

      // During the grace period both work.
      expect((await works(first.client_secret)).status).toBe(200);
      expect((await works(second.client_secret)).status).toBe(200);

      await sleep(Math.max(0, graceEnds - Date.now()) + 200);
      const expired = await works(first.client_secret);
      expect(expired.status).toBe(401);
      expect(expired.body.error).toBe('invalid_client');
      expect((await works(second.client_secret)).status).toBe(200);

      // A third secret: the second is in its grace period, and the owner ends it at once.
      const third = await issueSecret(client.id, owner);
      expect((await works(second.client_secret)).status).toBe(200);
      const revoked = await api(
        'DELETE',
        `/api/clients/${client.id}/secrets/${second.secret_id}`,
        owner.token,
      );
      expect(revoked.status).toBe(204);
      const ended = await works(second.client_secret);
      expect(ended.status).toBe(401);
      expect(ended.body.error).toBe('invalid_client');
      expect((await works(third.client_secret)).status).toBe(200);
      // Revoking again: there is no such live secret.
      expect(
        (await api('DELETE', `/api/clients/${client.id}/secrets/${second.secret_id}`, owner.token))
          .status,
      ).toBe(404);

      const listed = await api('GET', `/api/clients/${client.id}/secrets`, owner.token);
      expect(listed.status).toBe(200);
      const secrets = listed.body as unknown as Array<Json>;
      expect(secrets).toHaveLength(3);
      for (const secret of secrets)
        expect(Object.keys(secret).sort()).toEqual([
          'created_at',
          'expires_at',
          'id',
          'revoked_at',
        ]);
      const byId = new Map(secrets.map((s) => [s.id as string, s]));
      expect(byId.get(third.secret_id)).toMatchObject({ expires_at: null, revoked_at: null });
      expect(byId.get(second.secret_id)?.revoked_at).toEqual(expect.any(String));
      expect(byId.get(first.secret_id)?.expires_at).toEqual(expect.any(String));
      const hashes: Array<{ secret_hash: string }> = await server.dataSource.query(
        'SELECT secret_hash FROM client_secrets WHERE client_ref = ?',
        [client.id],
      );
      const text = JSON.stringify(listed.body);
      for (const { secret_hash } of hashes) expect(text).not.toContain(secret_hash);
      for (const s of [first, second, third]) {
        expect(text).not.toContain(s.client_secret);
        expect(hashes.map((h) => h.secret_hash)).not.toContain(s.client_secret);
      }
      // Not to another developer, nor to an admin who does not own it.
      for (const who of [otherDev, admin]) {
        expect((await api('GET', `/api/clients/${client.id}/secrets`, who.token)).status).toBe(404);
        expect(
          (await api('DELETE', `/api/clients/${client.id}/secrets/${third.secret_id}`, who.token))
            .status,
        ).toBe(404);
      }
      expect((await works(third.client_secret)).status).toBe(200);
    });

    it('holds at most 5 live secrets: a sixth is 409 until one ends, and nothing is issued', async () => {
      const owner = await person(['developer']);
      const client = await register(owner);
      await approve(client.id);
      const issued = [];
      for (let i = 0; i < 5; i++) issued.push(await issueSecret(client.id, owner));
      const sixth = await api('POST', `/api/clients/${client.id}/secret`, owner.token);
      expect(sixth.status).toBe(409);
      expect(messageOf(sixth)).toContain('5 live secrets');
      expect(sixth.body.client_secret).toBeUndefined();
      const listed = await api('GET', `/api/clients/${client.id}/secrets`, owner.token);
      expect(listed.body).toHaveLength(5);
      // Ending one makes room.
      const ended = await api(
        'DELETE',
        `/api/clients/${client.id}/secrets/${issued[0].secret_id}`,
        owner.token,
      );
      expect(ended.status).toBe(204);
      await issueSecret(client.id, owner);
    });

    it('keeps the cap under concurrent issues: exactly 5 live secrets, and only the newest without an end', async () => {
      const owner = await person(['developer']);
      const client = await register(owner);
      await approve(client.id);
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          api('POST', `/api/clients/${client.id}/secret`, owner.token),
        ),
      );
      // One process serialises them: exactly the cap is issued, the rest refused.
      const issued = answers.filter((res) => res.status === 201);
      expect(issued).toHaveLength(5);
      expect(answers.filter((res) => res.status === 409)).toHaveLength(7);
      const listed = (await api('GET', `/api/clients/${client.id}/secrets`, owner.token))
        .body as unknown as Array<Json>;
      const live = listed.filter((secret) => secret.revoked_at === null);
      expect(live).toHaveLength(issued.length);
      expect(live.filter((secret) => secret.expires_at === null)).toHaveLength(1);
    });
  });

  // ---- suspension ----

  describe('suspension', () => {
    it('takes effect at once and is not undone by reinstatement', async () => {
      const client = await register(
        dev,
        registration({ grant_types: ['password', 'refresh_token'], scope: 'orders:read' }),
      );
      await approve(client.id, { first_party: true });
      const { client_id, client_secret } = await issueSecret(client.id, dev);
      const creds = { clientId: client_id, secret: client_secret };
      const user = await createUser(server);
      const signIn = () =>
        tokenRequest(server.url, creds, {
          grant_type: 'password',
          username: user.username,
          password: user.password,
        });
      const refresh = (token: string) =>
        tokenRequest(server.url, creds, { grant_type: 'refresh_token', refresh_token: token });

      const before = await signIn();
      expect(before.status).toBe(200);
      const access = before.body.access_token as string;
      const refreshToken = before.body.refresh_token as string;
      expect((await introspect(server, access)).body.active).toBe(true);

      const suspended = await review(client.id, 'suspend', { reason: 'credentials leaked' });
      expect(suspended.status).toBe(200);
      expect(suspended.body).toMatchObject({
        status: 'suspended',
        status_reason: 'credentials leaked',
        client_id,
      });

      // No token request of a suspended client succeeds.
      for (const res of [await signIn(), await refresh(refreshToken)]) {
        expect(res.status).toBe(401);
        expect(res.body.error).toBe('invalid_client');
      }
      expect(await introspect(server, access)).toMatchObject({
        status: 200,
        body: { active: false },
      });
      const families: Array<{ revoked_at: unknown; revoked_reason: string | null }> =
        await server.dataSource.query(
          'SELECT revoked_at, revoked_reason FROM refresh_token_families WHERE client_ref = ?',
          [client.id],
        );
      expect(families.length).toBeGreaterThan(0);
      for (const family of families) {
        expect(family.revoked_at).not.toBeNull();
        expect(family.revoked_reason).toBe('client_suspended');
      }

      const reinstated = await review(client.id, 'reinstate');
      expect(reinstated.status).toBe(200);
      expect(reinstated.body).toMatchObject({ status: 'approved', status_reason: null, client_id });

      // What suspension revoked stays revoked.
      const stale = await refresh(refreshToken);
      expect(stale.status).toBe(400);
      expect(stale.body.error).toBe('invalid_grant');
      expect((await introspect(server, access)).body).toEqual({ active: false });

      // New tokens after reinstatement work.
      const after = await signIn();
      expect(after.status).toBe(200);
      expect((await introspect(server, after.body.access_token as string)).body.active).toBe(true);
      const renewed = await refresh(after.body.refresh_token as string);
      expect(renewed.status).toBe(200);
      expect((await introspect(server, renewed.body.access_token as string)).body.active).toBe(
        true,
      );

      // Refresh-token reuse is detected and recorded.
      const reused = await refresh(after.body.refresh_token as string);
      expect(reused.status).toBe(400);
      expect(reused.body.error).toBe('invalid_grant');
      const reuse = await audit({ client_id, type: 'token.refresh_reuse_detected' });
      expect(reuse.total).toBe(1);
      expect(reuse.items[0]).toMatchObject({ client_id, subject_id: user.id, ip: '127.0.0.1' });
    });

    it('gives working tokens right after a reinstatement, even within the second of the suspension', async () => {
      const client = await clientIn('approved');
      const { client_id, client_secret } = await issueSecret(client.id, dev);
      const creds = { clientId: client_id, secret: client_secret };
      // Several rounds, so that some land inside the second in which the suspension happened.
      for (let round = 0; round < 3; round++) {
        const old = await tokenRequest(server.url, creds, { grant_type: 'client_credentials' });
        expect((await review(client.id, 'suspend', { reason: `round ${round}` })).status).toBe(200);
        expect((await review(client.id, 'reinstate')).status).toBe(200);
        const fresh = await tokenRequest(server.url, creds, { grant_type: 'client_credentials' });
        expect(fresh.status).toBe(200);
        expect((await introspect(server, fresh.body.access_token as string)).body.active).toBe(
          true,
        );
        expect((await introspect(server, old.body.access_token as string)).body.active).toBe(false);
      }
    });
  });

  // ---- audit ----

  describe('audit trail', () => {
    it('records every step with actor, ip and reason, filterable by client and by actor, paginated', async () => {
      const auditor = await person(['developer']);
      const reviewerName = `reviewer-${randomBytes(3).toString('hex')}`;
      const reviewerPassword = `pw-${randomBytes(12).toString('hex')}`;
      const createdReviewer = await api('POST', '/api/users', admin.token, {
        username: reviewerName,
        password: reviewerPassword,
        roles: ['admin'],
      });
      expect(createdReviewer.status).toBe(201);
      const reviewer: Person = {
        id: createdReviewer.body.id as string,
        username: reviewerName,
        password: reviewerPassword,
        token: await userToken(reviewerName, reviewerPassword),
      };

      // A: the whole life; B: rejected; C: withdrawn.
      const a = await register(auditor);
      expect(
        (await api('PATCH', `/api/clients/${a.id}`, auditor.token, { name: 'A2' })).status,
      ).toBe(200);
      const approved = await approve(a.id, {}, reviewer);
      const clientId = approved.client_id!;
      const s1 = await issueSecret(a.id, auditor);
      const s2 = await issueSecret(a.id, auditor);
      expect(
        (await api('DELETE', `/api/clients/${a.id}/secrets/${s1.secret_id}`, auditor.token)).status,
      ).toBe(204);
      expect(
        (await review(a.id, 'suspend', { reason: 'audit: key leaked' }, reviewer)).status,
      ).toBe(200);
      expect((await review(a.id, 'reinstate', undefined, reviewer)).status).toBe(200);
      const failed = await tokenRequest(
        server.url,
        { clientId, secret: 'not-the-secret' },
        { grant_type: 'client_credentials' },
      );
      expect(failed.status).toBe(401);
      expect(
        (
          await tokenRequest(
            server.url,
            { clientId, secret: s2.client_secret },
            { grant_type: 'client_credentials' },
          )
        ).status,
      ).toBe(200);

      const b = await register(auditor);
      expect(
        (await review(b.id, 'reject', { reason: 'audit: duplicate app' }, reviewer)).status,
      ).toBe(200);
      const c = await register(auditor);
      expect((await api('DELETE', `/api/clients/${c.id}`, auditor.token)).status).toBe(200);

      // By actor: the developer's steps.
      const byDev = await audit({ actor_id: auditor.id, limit: 200 });
      expect(byDev.total).toBe(8);
      expect(byDev.items.map((e) => e.type).sort()).toEqual(
        [
          'client.registered',
          'client.registered',
          'client.registered',
          'client.updated',
          'client.secret_issued',
          'client.secret_issued',
          'client.secret_revoked',
          'client.withdrawn',
        ].sort(),
      );
      for (const event of byDev.items) {
        expect(event.actor_id).toBe(auditor.id);
        expect(event.ip).toBe('127.0.0.1');
        expect(Date.parse(event.created_at)).not.toBeNaN();
      }
      const registrationsOf = (type: string) =>
        byDev.items.filter((e) => e.type === type).map((e) => e.details.registrationId);
      expect(registrationsOf('client.registered').sort()).toEqual([a.id, b.id, c.id].sort());
      expect(registrationsOf('client.updated')).toEqual([a.id]);
      // The record says which fields the change named, and only those.
      expect(byDev.items.find((e) => e.type === 'client.updated')!.details.changes).toEqual([
        'name',
      ]);
      expect(registrationsOf('client.withdrawn')).toEqual([c.id]);
      const revokedEvent = byDev.items.find((e) => e.type === 'client.secret_revoked')!;
      expect(revokedEvent).toMatchObject({
        client_id: clientId,
        details: { secretId: s1.secret_id },
      });
      // An audit record never holds a secret.
      const devText = JSON.stringify(byDev);
      for (const s of [s1, s2]) expect(devText).not.toContain(s.client_secret);

      // By actor: the reviewer's decisions, each with its reason where it has one.
      const byReviewer = await audit({ actor_id: reviewer.id });
      expect(byReviewer.total).toBe(4);
      const decisions = new Map(byReviewer.items.map((e) => [e.type, e]));
      expect([...decisions.keys()].sort()).toEqual([
        'client.approved',
        'client.reinstated',
        'client.rejected',
        'client.suspended',
      ]);
      for (const event of byReviewer.items) {
        expect(event.actor_id).toBe(reviewer.id);
        expect(event.ip).toBe('127.0.0.1');
      }
      expect(decisions.get('client.suspended')).toMatchObject({
        client_id: clientId,
        details: {
          registrationId: a.id,
          reason: 'audit: key leaked',
          from: 'approved',
          to: 'suspended',
        },
      });
      expect(decisions.get('client.rejected')).toMatchObject({
        details: {
          registrationId: b.id,
          reason: 'audit: duplicate app',
          from: 'pending',
          to: 'rejected',
        },
      });
      expect(decisions.get('client.approved')).toMatchObject({
        client_id: clientId,
        details: { registrationId: a.id, from: 'pending', to: 'approved' },
      });
      expect(decisions.get('client.reinstated')).toMatchObject({
        client_id: clientId,
        details: { registrationId: a.id, from: 'suspended', to: 'approved' },
      });

      // By client: everything since the client_id exists, token-endpoint failures included.
      const byClient = await audit({ client_id: clientId });
      expect(byClient.items.map((e) => e.type).sort()).toEqual(
        [
          'client.approved',
          'client.secret_issued',
          'client.secret_issued',
          'client.secret_revoked',
          'client.suspended',
          'client.reinstated',
          'client.authentication_failed',
        ].sort(),
      );
      expect(byClient.items.every((e) => e.client_id === clientId)).toBe(true);
      const authFailure = byClient.items.find((e) => e.type === 'client.authentication_failed')!;
      expect(authFailure).toMatchObject({ actor_id: null, ip: '127.0.0.1' });
      expect(JSON.stringify(authFailure)).not.toContain('not-the-secret');
      // Newest first.
      const times = byClient.items.map((e) => Date.parse(e.created_at));
      expect([...times].sort((x, y) => y - x)).toEqual(times);

      // Pagination: limit/offset walk the same list, total stays the total.
      const pages = [0, 3, 6].map((offset) => audit({ actor_id: auditor.id, limit: 3, offset }));
      const [p1, p2, p3] = await Promise.all(pages);
      expect([p1, p2, p3].map((p) => [p.total, p.limit, p.offset, p.items.length])).toEqual([
        [8, 3, 0, 3],
        [8, 3, 3, 3],
        [8, 3, 6, 2],
      ]);
      expect([...p1.items, ...p2.items, ...p3.items].map((e) => e.id)).toEqual(
        byDev.items.map((e) => e.id),
      );
      expect((await api('GET', '/api/admin/audit?limit=0', admin.token)).status).toBe(400);
      expect((await api('GET', '/api/admin/audit?limit=201', admin.token)).status).toBe(400);
    });

    it('is closed to developers (403) and offers no way to change it', async () => {
      expect((await api('GET', '/api/admin/audit', dev.token)).status).toBe(403);
      expect((await api('GET', '/api/admin/audit', undefined)).status).toBe(401);
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const res = await api(method, '/api/admin/audit', admin.token, {});
        expect(res.status).toBe(404);
      }
    });
  });

  // ---- API documentation ----

  describe('OpenAPI', () => {
    it('serves the document without a token', async () => {
      const res = await api('GET', '/api/docs-json');
      expect(res.status).toBe(200);
      const paths = Object.keys(res.body.paths as Json);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/api/clients',
          '/api/clients/{id}/secret',
          '/api/admin/clients/{id}/approve',
          '/api/admin/audit',
        ]),
      );
    });

    it('serves the browsable page without a token', async () => {
      const res = await fetch(`${server.url}/api/docs`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toMatch(/swagger/i);
    });
  });
});
