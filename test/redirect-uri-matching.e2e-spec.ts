import {
  authorizationParams,
  BrowserClient,
  BrowserFlow,
  pkcePair,
  registerBrowserClient,
} from './support/browser-flow';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { createUser } from './support/fixtures';
import { startServer, TestServer } from './support/test-server';

const REGISTERED = 'https://app.example.com/callback';
const LOOPBACK = 'http://127.0.0.1:8080/cb';
const WITH_QUERY = 'https://app.example.com/cb?tenant=7';

/**
 * Redirect URIs are compared as exact strings with the registered ones (RFC
 * 6749 §3.1.2.3, RFC 9700 §2.1 and §4.1.3): every near miss is shown as the
 * error page and never redirected to, so an open redirector or a code leak
 * through a look-alike address is impossible.
 */
describe.each(DATABASES)('redirect URI matching on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;
  let client: BrowserClient;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url);
    client = await registerBrowserClient(server, {
      redirectUris: [REGISTERED, LOOPBACK, WITH_QUERY],
    });
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  async function authorizeWith(redirectUri: string) {
    const browser = new BrowserFlow(server.url);
    // response_type=token: were the URI accepted, the answer would be a redirect with an error.
    return browser.authorize(
      authorizationParams(client, pkcePair().challenge, {
        redirect_uri: redirectUri,
        response_type: 'token',
      }),
    );
  }

  it.each([
    ['a prefix', 'https://app.example.com/call'],
    ['a suffix', 'https://app.example.com/callbackx'],
    ['a suffix on the host', 'https://app.example.com.evil.example/callback'],
    ['an extra path segment', 'https://app.example.com/callback/evil'],
    ['a dot-dot segment', 'https://app.example.com/callback/../evil'],
    ['another port', 'https://app.example.com:8443/callback'],
    ['the default port spelled out', 'https://app.example.com:443/callback'],
    ['another loopback port', 'http://127.0.0.1:8081/cb'],
    ['localhost for 127.0.0.1', 'http://localhost:8080/cb'],
    ['another scheme', 'http://app.example.com/callback'],
    ['the host in another case', 'https://APP.example.com/callback'],
    ['the path in another case', 'https://app.example.com/Callback'],
    ['a percent-encoded character', 'https://app.example.com/%63allback'],
    ['an encoded slash', 'https://app.example.com/callback%2F..%2Fevil'],
    ['a trailing slash', 'https://app.example.com/callback/'],
    ['a trailing space', 'https://app.example.com/callback '],
    ['a trailing dot on the host', 'https://app.example.com./callback'],
    ['a query added', 'https://app.example.com/callback?next=https://evil.example'],
    ['a query changed', 'https://app.example.com/cb?tenant=8'],
    ['a query dropped', 'https://app.example.com/cb'],
    ['a fragment', 'https://app.example.com/callback#frag'],
    ['credentials before the host', 'https://app.example.com@evil.example/callback'],
    ['a relative reference', '/callback'],
    ['another host', 'https://evil.example/callback'],
  ])('refuses %s with the error page', async (_name, redirectUri) => {
    const res = await authorizeWith(redirectUri);
    expect(res.status).toBe(400);
    expect(res.location).toBeUndefined();
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    // The page names no attacker address as a link.
    expect(res.body).not.toContain('href="https://evil');
  });

  it.each([REGISTERED, LOOPBACK, WITH_QUERY])('redirects to the exact URI %s', async (uri) => {
    const res = await authorizeWith(uri);
    expect(res.status).toBe(302);
    const location = new URL(res.location!);
    expect(`${location.origin}${location.pathname}`).toBe(uri.split('?')[0]);
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    // A registered query is kept (RFC 6749 §3.1.2).
    if (uri === WITH_QUERY) expect(location.searchParams.get('tenant')).toBe('7');
  });

  it('keeps the registered query beside the code of a successful response', async () => {
    const firstParty = await registerBrowserClient(server, {
      redirectUris: [WITH_QUERY],
      firstParty: true,
    });
    const browser = new BrowserFlow(server.url);
    await browser.authorize(authorizationParams(firstParty, pkcePair().challenge));
    await browser.follow();
    const user = await createUser(server);
    await browser.submitLogin(user.username, user.password);
    const callback = browser.callback();
    expect(callback.params.get('tenant')).toBe('7');
    expect(callback.code).toBeDefined();
  });
});
