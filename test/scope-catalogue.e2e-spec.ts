import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { createUser, signIn } from './support/fixtures';
import { apiRequest, getJson } from './support/http';
import { ADMIN, startServer, TestServer } from './support/test-server';

/** Issue 4: registrations choose scopes from a catalogue that admins manage. */
describe.each(DATABASES)('the scope catalogue on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;
  let adminToken: string;
  let devToken: string;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url);
    adminToken = await signIn(server, ADMIN.username, ADMIN.password);
    const dev = await createUser(server, { roles: ['developer'] });
    devToken = await signIn(server, dev.username, dev.password);
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('is readable by any signed-in user and starts with the sample service scopes (SPEC)', async () => {
    const res = await apiRequest(server.url, 'GET', '/api/scopes', devToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.arrayContaining([
        { name: 'orders:read', description: expect.any(String) },
        { name: 'orders:write', description: expect.any(String) },
      ]),
    );
  });

  it('lets admins add, describe and remove scopes; registrations and the metadata follow; every change is audited', async () => {
    const created = await apiRequest(server.url, 'POST', '/api/admin/scopes', adminToken, {
      name: 'invoices:read',
      description: 'See your invoices',
    });
    expect(created.status).toBe(201);
    expect(
      (
        await apiRequest(server.url, 'POST', '/api/admin/scopes', adminToken, {
          name: 'invoices:read',
          description: 'again',
        })
      ).status,
    ).toBe(409);

    const metadata = await getJson(`${server.url}/.well-known/oauth-authorization-server`);
    expect(metadata.body.scopes_supported).toContain('invoices:read');

    const registered = await apiRequest(server.url, 'POST', '/api/clients', devToken, {
      name: 'Invoices',
      grant_types: ['client_credentials'],
      scope: 'invoices:read',
    });
    expect(registered.status).toBe(201);
    // In use by a registration: it cannot be removed.
    const inUse = await apiRequest(
      server.url,
      'DELETE',
      '/api/admin/scopes/invoices:read',
      adminToken,
    );
    expect(inUse.status).toBe(409);

    expect(
      (
        await apiRequest(server.url, 'PATCH', '/api/admin/scopes/invoices:read', adminToken, {
          description: 'Read your invoices',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await apiRequest(server.url, 'POST', '/api/admin/scopes', adminToken, {
          name: 'temp:scope',
          description: 'Temporary',
        })
      ).status,
    ).toBe(201);
    expect(
      (await apiRequest(server.url, 'DELETE', '/api/admin/scopes/temp:scope', adminToken)).status,
    ).toBe(204);
    expect(
      (await apiRequest(server.url, 'DELETE', '/api/admin/scopes/temp:scope', adminToken)).status,
    ).toBe(404);
    const names = (
      (await apiRequest(server.url, 'GET', '/api/scopes', devToken)).body as unknown as Array<{
        name: string;
      }>
    ).map((s) => s.name);
    expect(names).toContain('invoices:read');
    expect(names).not.toContain('temp:scope');

    const audit = await apiRequest(
      server.url,
      'GET',
      '/api/admin/audit?type=scope.deleted',
      adminToken,
    );
    expect(
      (audit.body.items as Array<{ details: { name: string } }>).map((e) => e.details.name),
    ).toEqual(['temp:scope']);
  });

  it('refuses malformed scope names, unknown fields and non-admins, and changes nothing', async () => {
    const before = (
      (await apiRequest(server.url, 'GET', '/api/scopes', devToken)).body as unknown as unknown[]
    ).length;
    for (const body of [
      { name: 'two words', description: 'x' },
      { name: 'quote"d', description: 'x' },
      { name: 'x'.repeat(129), description: 'x' },
      { name: 'ok:name', description: '' },
      { name: 'ok:name', description: 'See \u001b[2J your invoices' },
      { name: 'ok:name', description: '   ' },
      { name: 'ok:name', description: 'x', extra: true },
    ]) {
      expect(
        (await apiRequest(server.url, 'POST', '/api/admin/scopes', adminToken, body)).status,
      ).toBe(400);
    }
    expect(
      (
        await apiRequest(server.url, 'POST', '/api/admin/scopes', devToken, {
          name: 'dev:scope',
          description: 'x',
        })
      ).status,
    ).toBe(403);
    expect(
      ((await apiRequest(server.url, 'GET', '/api/scopes', devToken)).body as unknown as unknown[])
        .length,
    ).toBe(before);
  });

  it('changes or removes only the scope named exactly: a padded name is no scope (MariaDB compares with PAD SPACE)', async () => {
    const scopes = async () =>
      (await apiRequest(server.url, 'GET', '/api/scopes', devToken)).body as unknown as Array<{
        name: string;
        description: string;
      }>;
    const before = (await scopes()).find((scope) => scope.name === 'orders:read');
    expect(before).toBeDefined();
    for (const method of ['PATCH', 'DELETE']) {
      const res = await apiRequest(
        server.url,
        method,
        '/api/admin/scopes/orders:read%20',
        adminToken,
        method === 'PATCH' ? { description: 'changed through a padded name' } : undefined,
      );
      expect(res.status).toBe(404);
    }
    expect((await scopes()).find((scope) => scope.name === 'orders:read')).toEqual(before);
  });
});
