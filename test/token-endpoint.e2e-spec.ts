import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { AuditService } from '../apps/identity-server/src/audit/audit.service';
import { ClientsService } from '../apps/identity-server/src/clients/clients.service';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { countRows, createClient, setColumn } from './support/fixtures';
import { basic, HttpResult, postForm, postRaw, tokenRequest } from './support/http';
import { ADMIN, CONSOLE, startServer, TestServer } from './support/test-server';

const FORM = 'application/x-www-form-urlencoded';

/** A raw fetch, for bodies the support helpers do not send (none at all, binary). */
async function send(url: string, init: RequestInit): Promise<HttpResult> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

/** RFC 6749 §5.2: the status, the error code, nothing but `error`/`error_description`, and never cached (§5.1). */
function expectOAuthError(res: HttpResult, status: number, code: string): void {
  expect({ status: res.status, error: res.body.error }).toEqual({ status, error: code });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('pragma')).toBe('no-cache');
  for (const key of Object.keys(res.body)) expect(['error', 'error_description']).toContain(key);
  if (res.body.error_description !== undefined)
    expect(typeof res.body.error_description).toBe('string');
}

/** RFC 6749 §5.2: invalid_client answers 401 with a Basic challenge (RFC 7617). */
function expectInvalidClient(res: HttpResult): void {
  expectOAuthError(res, 401, 'invalid_client');
  expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
}

describe.each(DATABASES)('token endpoint (RFC 6749 §3.2, §5.2) on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;
  let tokenUrl: string;

  const passwordGrant = {
    grant_type: 'password',
    username: ADMIN.username,
    password: ADMIN.password,
  };
  const consoleBasic = () => ({ authorization: basic(CONSOLE.clientId, CONSOLE.secret) });
  const rowsOf = (table: string) => countRows(server, table);

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url);
    tokenUrl = `${server.url}/oauth/token`;
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  describe('request body (RFC 6749 §3.2: application/x-www-form-urlencoded only)', () => {
    it.each([
      [
        'application/json',
        JSON.stringify({
          ...passwordGrant,
          client_id: CONSOLE.clientId,
          client_secret: CONSOLE.secret,
        }),
      ],
      [
        'text/plain',
        new URLSearchParams({
          ...passwordGrant,
          client_id: CONSOLE.clientId,
          client_secret: CONSOLE.secret,
        }).toString(),
      ],
      [
        'multipart/form-data; boundary=x',
        `--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\npassword\r\n--x--\r\n`,
      ],
    ])('refuses a %s body with invalid_request', async (contentType, body) => {
      const res = await postRaw(tokenUrl, body, { 'content-type': contentType, ...consoleBasic() });
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('refuses a request with no body and no content type with invalid_request', async () => {
      const res = await send(tokenUrl, { method: 'POST', headers: consoleBasic() });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expectOAuthError(res, 400, 'invalid_request');
    });

    // Body-parser failures happen before routing; they must still be RFC 6749 §5.2 JSON, not an /api error.
    it.each<[string, () => { body: string; headers: Record<string, string> }]>([
      [
        'malformed JSON',
        () => ({
          body: '{"grant_type": "password",',
          headers: { 'content-type': 'application/json' },
        }),
      ],
      [
        'a form body over 16kb',
        () => ({
          body: new URLSearchParams({
            ...passwordGrant,
            padding: 'a'.repeat(17 * 1024),
          }).toString(),
          headers: { 'content-type': FORM },
        }),
      ],
      [
        'a form with too many parameters',
        () => ({
          body: [
            ...Object.entries(passwordGrant).map(([k, v]) => `${k}=${v}`),
            ...Array.from({ length: 70 }, (_, i) => `p${i}=x`),
          ].join('&'),
          headers: { 'content-type': FORM },
        }),
      ],
      [
        'a form in an unsupported charset',
        () => ({
          body: new URLSearchParams(passwordGrant).toString(),
          headers: { 'content-type': `${FORM}; charset=utf-16` },
        }),
      ],
      [
        'a form declared gzip that is not',
        () => ({
          body: new URLSearchParams(passwordGrant).toString(),
          headers: { 'content-type': FORM, 'content-encoding': 'gzip' },
        }),
      ],
      [
        'a form in an unsupported content encoding',
        () => ({
          body: new URLSearchParams(passwordGrant).toString(),
          headers: { 'content-type': FORM, 'content-encoding': 'x-unknown' },
        }),
      ],
    ])('answers %s with invalid_request in RFC form', async (_name, build) => {
      const { body, headers } = build();
      const res = await postRaw(tokenUrl, body, { ...headers, ...consoleBasic() });
      expectOAuthError(res, 400, 'invalid_request');
      expect(res.headers.get('www-authenticate')).toBeNull();
    });

    it('accepts a gzip-encoded form (the parser inflates it) and a charset=utf-8 parameter', async () => {
      const form = new URLSearchParams(passwordGrant).toString();
      const gzipped = await send(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': FORM, 'content-encoding': 'gzip', ...consoleBasic() },
        body: gzipSync(form),
      });
      expect(gzipped.status).toBe(200);
      const utf8 = await postRaw(tokenUrl, form, {
        'content-type': `${FORM}; charset=UTF-8`,
        ...consoleBasic(),
      });
      expect(utf8.status).toBe(200);
    });
  });

  // The endpoint is served in front of Nest (oauth/protocol-endpoints.ts): exact method and path.
  describe('routing', () => {
    it('serves the advertised path, with a query string ignored', async () => {
      const res = await postForm(`${tokenUrl}?ignored=1`, passwordGrant, consoleBasic());
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it.each([
      ['GET', '/oauth/token'],
      ['PUT', '/oauth/token'],
      ['DELETE', '/oauth/revoke'],
      ['GET', '/oauth/introspect'],
    ])('answers %s %s with 405 and Allow (RFC 9110 §15.5.6)', async (method, path) => {
      const init: RequestInit = { method, headers: { ...consoleBasic(), 'content-type': FORM } };
      if (method === 'PUT') init.body = new URLSearchParams(passwordGrant).toString();
      const res = await fetch(`${server.url}${path}`, init);
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST, OPTIONS');
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(await res.json()).toEqual({ statusCode: 405, message: 'Method Not Allowed' });
    });

    it('answers OPTIONS with 204 and the methods the endpoint takes, and no CORS grant', async () => {
      const res = await fetch(tokenUrl, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('allow')).toBe('POST, OPTIONS');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(await res.text()).toBe('');
    });

    it.each([
      ['POST', '/oauth/token/'],
      ['POST', '/OAUTH/TOKEN'],
      ['GET', '/oauth/token/'],
    ])('answers %s %s with 404, not as the token endpoint', async (method, path) => {
      // A well-formed password grant: were it routed to the token endpoint, it would get a token.
      const init: RequestInit = { method, headers: { ...consoleBasic(), 'content-type': FORM } };
      if (method !== 'GET') init.body = new URLSearchParams(passwordGrant).toString();
      const res = await fetch(`${server.url}${path}`, init);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('access_token');
    });
  });

  describe('parameters (RFC 6749 §3.1)', () => {
    it.each<[string, Array<[string, string]>]>([
      [
        'grant_type',
        [
          ['grant_type', 'password'],
          ['grant_type', 'password'],
          ['username', ADMIN.username],
          ['password', ADMIN.password],
        ],
      ],
      [
        'grant_type with different values',
        [
          ['grant_type', 'password'],
          ['grant_type', 'client_credentials'],
          ['username', ADMIN.username],
          ['password', ADMIN.password],
        ],
      ],
      [
        'scope',
        [
          ['grant_type', 'password'],
          ['username', ADMIN.username],
          ['password', ADMIN.password],
          ['scope', 'orders:read'],
          ['scope', 'orders:read'],
        ],
      ],
      [
        'username',
        [
          ['grant_type', 'password'],
          ['username', ADMIN.username],
          ['username', 'someone-else'],
          ['password', ADMIN.password],
        ],
      ],
      [
        'password',
        [
          ['grant_type', 'password'],
          ['username', ADMIN.username],
          ['password', ADMIN.password],
          ['password', ADMIN.password],
        ],
      ],
    ])('refuses a repeated %s with invalid_request', async (_name, pairs) => {
      const res = await postForm(tokenUrl, pairs, consoleBasic());
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('refuses a repeated client_id in a client_secret_post body with invalid_request', async () => {
      const res = await postForm(tokenUrl, [
        ...Object.entries(passwordGrant),
        ['client_id', CONSOLE.clientId],
        ['client_id', CONSOLE.clientId],
        ['client_secret', CONSOLE.secret],
      ]);
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('ignores parameters it does not know', async () => {
      const res = await postForm(
        tokenUrl,
        {
          ...passwordGrant,
          resource: 'https://api.example',
          prompt: 'none',
          'grant_type[]': 'x',
          toString: 'y',
          foo: 'bar',
        },
        consoleBasic(),
      );
      expect(res.status).toBe(200);
      expect(res.body.token_type).toBe('Bearer');
    });

    it('treats a parameter sent without a value as omitted', async () => {
      const res = await postForm(tokenUrl, { ...passwordGrant, scope: '' }, consoleBasic());
      expect(res.status).toBe(200);
      expect(res.body.scope).toBe('orders:read orders:write');
    });

    it('requires grant_type (invalid_request)', async () => {
      const missing = await postForm(
        tokenUrl,
        { username: ADMIN.username, password: ADMIN.password },
        consoleBasic(),
      );
      expectOAuthError(missing, 400, 'invalid_request');
      const empty = await postForm(tokenUrl, { ...passwordGrant, grant_type: '' }, consoleBasic());
      expectOAuthError(empty, 400, 'invalid_request');
    });

    it.each([
      'implicit',
      'token',
      'urn:ietf:params:oauth:grant-type:device_code',
      'PASSWORD',
      'constructor',
      '__proto__',
    ])('answers grant_type %p with unsupported_grant_type', async (grantType) => {
      const res = await postForm(
        tokenUrl,
        { ...passwordGrant, grant_type: grantType },
        consoleBasic(),
      );
      expectOAuthError(res, 400, 'unsupported_grant_type');
    });

    it('answers a supported grant the client is not allowed with unauthorized_client', async () => {
      const consoleAsService = await postForm(
        tokenUrl,
        { grant_type: 'client_credentials' },
        consoleBasic(),
      );
      expectOAuthError(consoleAsService, 400, 'unauthorized_client');

      const service = await createClient(server, {
        grantTypes: ['client_credentials'],
        firstParty: false,
      });
      const serviceAsApp = await tokenRequest(server.url, service, passwordGrant);
      expectOAuthError(serviceAsApp, 400, 'unauthorized_client');
    });

    it('authenticates the client before judging the grant type', async () => {
      const res = await postForm(
        tokenUrl,
        { grant_type: 'no-such-grant' },
        { authorization: basic(CONSOLE.clientId, 'wrong') },
      );
      expectInvalidClient(res);
    });
  });

  describe('client authentication (RFC 6749 §2.3)', () => {
    it('accepts client_secret_basic', async () => {
      const res = await postForm(tokenUrl, passwordGrant, consoleBasic());
      expect(res.status).toBe(200);
      expect(typeof res.body.access_token).toBe('string');
    });

    it('accepts client_secret_post', async () => {
      const res = await postForm(tokenUrl, {
        ...passwordGrant,
        client_id: CONSOLE.clientId,
        client_secret: CONSOLE.secret,
      });
      expect(res.status).toBe(200);
      expect(typeof res.body.access_token).toBe('string');
    });

    it('accepts a body client_id that repeats the Basic client_id', async () => {
      const res = await postForm(
        tokenUrl,
        { ...passwordGrant, client_id: CONSOLE.clientId },
        consoleBasic(),
      );
      expect(res.status).toBe(200);
    });

    it.each<[string, () => { params: Record<string, string>; headers: Record<string, string> }]>([
      [
        'a wrong secret (Basic)',
        () => ({
          params: passwordGrant,
          headers: { authorization: basic(CONSOLE.clientId, 'wrong-secret') },
        }),
      ],
      [
        'a wrong secret (post)',
        () => ({
          params: { ...passwordGrant, client_id: CONSOLE.clientId, client_secret: 'wrong-secret' },
          headers: {},
        }),
      ],
      [
        'an unknown client (Basic)',
        () => ({
          params: passwordGrant,
          headers: { authorization: basic('no-such-client', CONSOLE.secret) },
        }),
      ],
      [
        'an unknown client (post)',
        () => ({
          params: { ...passwordGrant, client_id: 'no-such-client', client_secret: CONSOLE.secret },
          headers: {},
        }),
      ],
      ['no credentials at all', () => ({ params: passwordGrant, headers: {} })],
      [
        'a client_id without a secret',
        () => ({ params: { ...passwordGrant, client_id: CONSOLE.clientId }, headers: {} }),
      ],
      [
        'a client_secret without a client_id',
        () => ({ params: { ...passwordGrant, client_secret: CONSOLE.secret }, headers: {} }),
      ],
      [
        'a Bearer Authorization header',
        () => ({ params: passwordGrant, headers: { authorization: 'Bearer xyz' } }),
      ],
      [
        'Basic credentials without a colon',
        () => ({
          params: passwordGrant,
          headers: { authorization: `Basic ${Buffer.from(CONSOLE.clientId).toString('base64')}` },
        }),
      ],
      [
        'Basic credentials with an empty secret',
        () => ({
          params: passwordGrant,
          headers: {
            authorization: `Basic ${Buffer.from(`${CONSOLE.clientId}:`).toString('base64')}`,
          },
        }),
      ],
      [
        'Basic credentials that are not base64',
        () => ({ params: passwordGrant, headers: { authorization: 'Basic !!not-base64!!' } }),
      ],
      [
        'Basic credentials with a broken percent-encoding',
        () => ({
          params: passwordGrant,
          headers: {
            authorization: `Basic ${Buffer.from(`${CONSOLE.clientId}:%zz`).toString('base64')}`,
          },
        }),
      ],
      [
        'an empty Basic header',
        () => ({ params: passwordGrant, headers: { authorization: 'Basic ' } }),
      ],
    ])('answers %s with 401 invalid_client and a Basic challenge', async (_name, build) => {
      const { params, headers } = build();
      const res = await postForm(tokenUrl, params, headers);
      expectInvalidClient(res);
    });

    it('answers a request in absolute form (RFC 9112 §3.2.2), as a client behind a forward proxy sends it', async () => {
      const body = new URLSearchParams({ grant_type: 'client_credentials' }).toString();
      const client = await createClient(server, { grantTypes: ['client_credentials'] });
      const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
        const url = new URL(tokenUrl);
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: tokenUrl,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Buffer.byteLength(body),
              authorization: basic(client.clientId, client.secret),
            },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).token_type).toBe('Bearer');
    });

    it('refuses bytes that are not UTF-8, in Basic credentials (invalid_client) and in the body (invalid_request)', async () => {
      const notUtf8 = Buffer.concat([
        Buffer.from(`${CONSOLE.clientId}:${CONSOLE.secret}`),
        Buffer.of(0xff),
      ]);
      const inBasic = await postForm(tokenUrl, passwordGrant, {
        authorization: `Basic ${notUtf8.toString('base64')}`,
      });
      expectInvalidClient(inBasic);
      expect(inBasic.body.error_description).toBe('malformed Basic credentials');
      const inBody = await postRaw(
        tokenUrl,
        Buffer.concat([Buffer.from('grant_type=client_credentials'), Buffer.of(0xff)]),
        { 'content-type': 'application/x-www-form-urlencoded', ...consoleBasic() },
      );
      expectOAuthError(inBody, 400, 'invalid_request');
      expect(inBody.body.error_description).toBe('the request body could not be parsed');
    });

    it('answers a wrong secret and an unknown client identically (no client enumeration)', async () => {
      const wrongSecret = await postForm(tokenUrl, passwordGrant, {
        authorization: basic(CONSOLE.clientId, 'wrong-secret'),
      });
      const unknown = await postForm(tokenUrl, passwordGrant, {
        authorization: basic('no-such-client', 'wrong-secret'),
      });
      expect(unknown.body).toEqual(wrongSecret.body);
    });

    // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
    it('refuses Basic credentials together with client_secret in the body (invalid_request)', async () => {
      const res = await postForm(
        tokenUrl,
        { ...passwordGrant, client_id: CONSOLE.clientId, client_secret: CONSOLE.secret },
        consoleBasic(),
      );
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('refuses a body client_id that contradicts the Basic client_id (invalid_request)', async () => {
      const other = await createClient(server, { grantTypes: ['password'] });
      const res = await postForm(
        tokenUrl,
        { ...passwordGrant, client_id: other.clientId },
        consoleBasic(),
      );
      expectOAuthError(res, 400, 'invalid_request');
    });

    it('compares client_id exactly (case and trailing spaces matter)', async () => {
      for (const clientId of [CONSOLE.clientId.toUpperCase(), `${CONSOLE.clientId} `]) {
        expectInvalidClient(
          await postForm(tokenUrl, passwordGrant, {
            authorization: basic(clientId, CONSOLE.secret),
          }),
        );
        expectInvalidClient(
          await postForm(tokenUrl, {
            ...passwordGrant,
            client_id: clientId,
            client_secret: CONSOLE.secret,
          }),
        );
      }
    });

    it('accepts a client_id with unreserved punctuation in Basic and post', async () => {
      const client = await createClient(server, {
        grantTypes: ['client_credentials'],
        clientId: `svc.reports_v2-${Date.now()}`,
      });
      const viaBasic = await tokenRequest(server.url, client, { grant_type: 'client_credentials' });
      expect(viaBasic.status).toBe(200);
      const viaPost = await postForm(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.secret,
      });
      expect(viaPost.status).toBe(200);
    });

    // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding, so ':' '+' '%' and spaces survive.
    it('form-url-decodes Basic credentials', async () => {
      const clientId = `svc:billing+ops team/${Date.now()}`;
      const secret = 'S3cret:with+plus/%25 and space';
      await server.get(ClientsService).createApprovedClient({
        clientId,
        name: 'billing',
        firstParty: false,
        grantTypes: ['client_credentials'],
        scopes: ['orders:read'],
        secret,
      });
      const encoded = await postForm(
        tokenUrl,
        { grant_type: 'client_credentials' },
        { authorization: basic(clientId, secret) },
      );
      expect(encoded.status).toBe(200);
      expect(encoded.body.scope).toBe('orders:read');

      // Sent without the form-encoding, the first ':' splits inside the client_id.
      const raw = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
      expectInvalidClient(
        await postForm(tokenUrl, { grant_type: 'client_credentials' }, { authorization: raw }),
      );

      // client_secret_post carries the same values through the form encoding of the body.
      const posted = await postForm(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
      });
      expect(posted.status).toBe(200);
    });

    it.each(['pending', 'rejected', 'suspended'])(
      'refuses a %s client with invalid_client and audits it',
      async (status) => {
        const client = await createClient(server, {
          grantTypes: ['password', 'refresh_token', 'client_credentials'],
        });
        expect(
          (await tokenRequest(server.url, client, { grant_type: 'client_credentials' })).status,
        ).toBe(200);
        await setColumn(server, 'clients', client.ref, 'status', status);

        const viaBasic = await tokenRequest(server.url, client, passwordGrant);
        expectInvalidClient(viaBasic);
        const viaPost = await postForm(tokenUrl, {
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.secret,
        });
        expectInvalidClient(viaPost);

        // The answer does not reveal the status: it is the wrong-secret answer.
        const wrongSecret = await tokenRequest(
          server.url,
          { clientId: client.clientId, secret: 'wrong' },
          passwordGrant,
        );
        expect(viaBasic.body).toEqual(wrongSecret.body);

        const events = (
          await server.get(AuditService).recent('client.authentication_failed')
        ).filter((e) => e.clientId === client.clientId);
        expect(events.map((e) => e.details.method).sort()).toEqual([
          'client_secret_basic',
          'client_secret_basic',
          'client_secret_post',
        ]);
        expect(events.filter((e) => String(e.details.reason).includes(status))).toHaveLength(2);
      },
    );
  });

  describe('caching (RFC 6749 §5.1)', () => {
    it('marks successful responses no-store and no-cache', async () => {
      const service = await createClient(server, { grantTypes: ['client_credentials'] });
      const responses = [
        await postForm(tokenUrl, passwordGrant, consoleBasic()),
        await tokenRequest(server.url, service, { grant_type: 'client_credentials' }),
      ];
      const refresh = await postForm(
        tokenUrl,
        { grant_type: 'refresh_token', refresh_token: responses[0].body.refresh_token as string },
        consoleBasic(),
      );
      for (const res of [...responses, refresh]) {
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('pragma')).toBe('no-cache');
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      }
    });

    it('marks every kind of error response no-store and no-cache', async () => {
      const answers = [
        await postRaw(tokenUrl, '{}', { 'content-type': 'application/json' }),
        await postRaw(tokenUrl, 'x'.repeat(20_000), { 'content-type': FORM }),
        await postForm(tokenUrl, passwordGrant),
        await postForm(tokenUrl, { grant_type: 'nope' }, consoleBasic()),
        await postForm(tokenUrl, { grant_type: 'client_credentials' }, consoleBasic()),
        await postForm(tokenUrl, { ...passwordGrant, password: 'wrong' }, consoleBasic()),
        await postForm(tokenUrl, { ...passwordGrant, scope: 'admin:all' }, consoleBasic()),
        await postForm(
          tokenUrl,
          { grant_type: 'refresh_token', refresh_token: 'not-a-token' },
          consoleBasic(),
        ),
      ];
      expect(answers.map((res) => [res.status, res.body.error])).toEqual([
        [400, 'invalid_request'],
        [400, 'invalid_request'],
        [401, 'invalid_client'],
        [400, 'unsupported_grant_type'],
        [400, 'unauthorized_client'],
        [400, 'invalid_grant'],
        [400, 'invalid_scope'],
        [400, 'invalid_grant'],
      ]);
      for (const res of answers) {
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('pragma')).toBe('no-cache');
      }
    });
  });

  it('changes nothing on bad requests', async () => {
    const suspended = await createClient(server, { grantTypes: ['password', 'refresh_token'] });
    await setColumn(server, 'clients', suspended.ref, 'status', 'suspended');
    const tables = ['refresh_token_families'];
    const before = await Promise.all(tables.map(rowsOf));

    // Each request carries a valid user and would mint a refresh token if it were not refused.
    const answers = await Promise.all([
      postRaw(tokenUrl, JSON.stringify(passwordGrant), {
        'content-type': 'application/json',
        ...consoleBasic(),
      }),
      postRaw(tokenUrl, new URLSearchParams(passwordGrant).toString(), {
        'content-type': 'text/plain',
        ...consoleBasic(),
      }),
      postRaw(
        tokenUrl,
        new URLSearchParams({ ...passwordGrant, pad: 'a'.repeat(17 * 1024) }).toString(),
        { 'content-type': FORM, ...consoleBasic() },
      ),
      postForm(
        tokenUrl,
        [...Object.entries(passwordGrant), ['grant_type', 'password']],
        consoleBasic(),
      ),
      postForm(
        tokenUrl,
        [...Object.entries(passwordGrant), ['scope', 'orders:read'], ['scope', 'orders:write']],
        consoleBasic(),
      ),
      postForm(tokenUrl, { ...passwordGrant, client_secret: CONSOLE.secret }, consoleBasic()),
      postForm(tokenUrl, passwordGrant, { authorization: basic(CONSOLE.clientId, 'wrong') }),
      postForm(tokenUrl, passwordGrant, { authorization: 'Bearer xyz' }),
      postForm(tokenUrl, passwordGrant),
      postForm(tokenUrl, { ...passwordGrant, grant_type: 'implicit' }, consoleBasic()),
      postForm(tokenUrl, { ...passwordGrant, scope: 'orders:read admin:all' }, consoleBasic()),
      tokenRequest(server.url, suspended, passwordGrant),
    ]);
    for (const res of answers) expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await Promise.all(tables.map(rowsOf))).toEqual(before);

    // The counts do move when a request is good, so the check above means something.
    expect((await postForm(tokenUrl, passwordGrant, consoleBasic())).status).toBe(200);
    expect(await Promise.all(tables.map(rowsOf))).toEqual(before.map((n) => n + 1));
  });
});
