import { DATABASES } from './support/databases';
import { createUser, introspect, signIn } from './support/fixtures';
import { apiRequest, tokenRequest } from './support/http';
import { ADMIN, startServerOnNewDatabase, TestServer } from './support/test-server';

/** SPEC flow 4, end to end through real token requests: register → review → credentials → suspend → reinstate. */
describe.each(DATABASES)('the life of a client on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServerOnNewDatabase(kind);
  });
  afterAll(() => server?.close());

  it('goes from registration to suspension and reinstatement, with real token requests at each step', async () => {
    const dev = await createUser(server, { roles: ['developer'] });
    const devToken = await signIn(server, dev.username, dev.password);
    const adminToken = await signIn(server, ADMIN.username, ADMIN.password);

    const registered = await apiRequest(server.url, 'POST', '/api/clients', devToken, {
      name: 'Billing',
      grant_types: ['client_credentials'],
      scope: 'orders:read',
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      status: 'pending',
      client_id: null,
      requested_scope: 'orders:read',
    });
    const id = registered.body.id as string;

    // Pending: no credentials exist yet.
    expect(
      (await apiRequest(server.url, 'POST', `/api/clients/${id}/secret`, devToken)).status,
    ).toBe(409);
    const queue = await apiRequest(
      server.url,
      'GET',
      '/api/admin/clients?status=pending',
      adminToken,
    );
    expect((queue.body.items as Array<{ id: string }>).map((c) => c.id)).toContain(id);

    const approved = await apiRequest(
      server.url,
      'POST',
      `/api/admin/clients/${id}/approve`,
      adminToken,
      {},
    );
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
    const clientId = approved.body.client_id as string;
    expect(clientId).toMatch(/^tsr_/);

    const issued = await apiRequest(server.url, 'POST', `/api/clients/${id}/secret`, devToken);
    expect(issued.status).toBe(201);
    const client = { clientId, secret: issued.body.client_secret as string };
    const token = await tokenRequest(server.url, client, { grant_type: 'client_credentials' });
    expect(token.status).toBe(200);

    const suspended = await apiRequest(
      server.url,
      'POST',
      `/api/admin/clients/${id}/suspend`,
      adminToken,
      {
        reason: 'leaked secret',
      },
    );
    expect(suspended.body.status).toBe('suspended');
    expect(
      (await tokenRequest(server.url, client, { grant_type: 'client_credentials' })).body.error,
    ).toBe('invalid_client');
    const introspected = await introspect(server, token.body.access_token as string);
    expect(introspected.body).toEqual({ active: false });

    const reinstated = await apiRequest(
      server.url,
      'POST',
      `/api/admin/clients/${id}/reinstate`,
      adminToken,
    );
    expect(reinstated.body.status).toBe('approved');
    expect(
      (await tokenRequest(server.url, client, { grant_type: 'client_credentials' })).status,
    ).toBe(200);
    // Reinstating does not bring back what suspension revoked.
    const again = await introspect(server, token.body.access_token as string);
    expect(again.body).toEqual({ active: false });

    const audit = await apiRequest(
      server.url,
      'GET',
      `/api/admin/audit?client_id=${clientId}`,
      adminToken,
    );
    const types = (audit.body.items as Array<{ type: string }>).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'client.approved',
        'client.secret_issued',
        'client.suspended',
        'client.reinstated',
      ]),
    );
    // By registration id, the history also holds what happened before the client had a client_id.
    const history = await apiRequest(
      server.url,
      'GET',
      `/api/admin/audit?registration_id=${id}`,
      adminToken,
    );
    const items = history.body.items as Array<{ type: string; registration_id: string }>;
    expect(items.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'client.registered',
        'client.approved',
        'client.secret_issued',
        'client.suspended',
        'client.reinstated',
      ]),
    );
    expect(items.every((e) => e.registration_id === id)).toBe(true);
  });
});
