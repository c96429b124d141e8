import { createHash, randomBytes } from 'node:crypto';
import { ADMIN, TestServer } from './test-server';
import { apiRequest, HttpResult, tokenRequest } from './http';
import { signIn, TestClient } from './fixtures';

/** One HTTP answer as a browser sees it: status, headers, body text, and where it redirects. */
export interface PageResponse {
  url: string;
  status: number;
  headers: Headers;
  body: string;
  /** The absolute `Location` of a redirect, if any. */
  location?: string;
}

/** The query of an authorization response at the client's redirect URI (RFC 6749 §4.1.2). */
export interface Callback {
  /** The redirect URI without its query. */
  target: string;
  code?: string;
  state?: string;
  iss?: string;
  error?: string;
  error_description?: string;
  params: URLSearchParams;
}

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  expiresAt?: number;
  httpOnly: boolean;
  sameSite?: string;
  secure: boolean;
}

/**
 * A minimal cookie jar for one server (one origin): keeps `Set-Cookie`
 * answers with their Path and lifetime, and sends back those whose path
 * matches (RFC 6265 §5.1.4). Like a browser, it drops `__Secure-` and
 * `__Host-` cookies that break their prefix's rules (RFC 6265bis §4.1.3).
 * Enough to act as one browser in the flow.
 */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  store(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const cookie: StoredCookie = {
        name: pair.slice(0, eq),
        value: pair.slice(eq + 1),
        path: '/',
        httpOnly: false,
        secure: false,
      };
      let domain = false;
      for (const attribute of attributes) {
        const [key, value = ''] = attribute.split('=');
        switch (key.toLowerCase()) {
          case 'domain':
            domain = true;
            break;
          case 'path':
            cookie.path = value;
            break;
          case 'max-age':
            cookie.expiresAt = Date.now() + Number(value) * 1000;
            break;
          case 'expires':
            cookie.expiresAt ??= Date.parse(value);
            break;
          case 'httponly':
            cookie.httpOnly = true;
            break;
          case 'secure':
            cookie.secure = true;
            break;
          case 'samesite':
            cookie.sameSite = value;
            break;
        }
      }
      if (!prefixAllows(cookie, domain)) continue;
      const key = `${cookie.name};${cookie.path}`;
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= Date.now())
        this.cookies.delete(key);
      else this.cookies.set(key, cookie);
    }
  }

  /** The `Cookie` header for a request to `path`, or undefined. */
  headerFor(path: string): string | undefined {
    const now = Date.now();
    const matching = [...this.cookies.values()]
      .filter((c) => (c.expiresAt === undefined || c.expiresAt > now) && pathMatches(path, c.path))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  get(name: string): StoredCookie | undefined {
    return [...this.cookies.values()].find((c) => c.name === name);
  }

  /** Every stored cookie with this name (e.g. one interaction cookie per pending interaction). */
  all(name: string): StoredCookie[] {
    return [...this.cookies.values()].filter((c) => c.name === name);
  }

  set(name: string, value: string, path = '/'): void {
    this.cookies.set(`${name};${path}`, {
      name,
      value,
      path,
      httpOnly: true,
      secure: false,
    });
  }

  clear(): void {
    this.cookies.clear();
  }
}

/** RFC 6265bis §4.1.3: `__Secure-` needs Secure; `__Host-` also Path=/ and no Domain. */
function prefixAllows(cookie: StoredCookie, domain: boolean): boolean {
  const name = cookie.name.toLowerCase();
  if (name.startsWith('__host-')) return cookie.secure && cookie.path === '/' && !domain;
  if (name.startsWith('__secure-')) return cookie.secure;
  return true;
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** The value of the hidden `csrf` field of a page's form. */
export function csrfOf(html: string): string {
  const input = /<input\b[^>]*\bname=["']?csrf["']?[^>]*>/i.exec(html)?.[0];
  const value = input && /\bvalue=["']?([^"'\s>]+)/i.exec(input)?.[1];
  if (!value) throw new Error(`no csrf field in the page:\n${html.slice(0, 2000)}`);
  return value;
}

/** The `action` of a page's (first) form, HTML entities decoded. */
export function formActionOf(html: string): string {
  const action = /<form\b[^>]*\baction=["']([^"']+)["']/i.exec(html)?.[1];
  if (!action) throw new Error(`no form action in the page:\n${html.slice(0, 2000)}`);
  return action
    .replace(/&amp;/g, '&')
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
}

/** A PKCE pair (RFC 7636 §4.1-4.2): a 43-character verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * One browser going through the authorization code flow against one
 * identity server: a cookie jar, no automatic redirects (each step is
 * asserted), helpers for the login and consent forms.
 *
 * ```ts
 * const browser = new BrowserFlow(server.url);
 * await browser.authorize({ client_id, redirect_uri, scope, state, code_challenge, code_challenge_method: 'S256', response_type: 'code' });
 * await browser.follow();                  // 303 → /interaction/{uid}: the login page
 * await browser.submitLogin(user, pass);   // 303 → consent page, or straight to the client
 * await browser.follow();
 * await browser.submitConsent('allow');
 * const { code } = browser.callback();
 * ```
 */
/** True when the page is the login form (it has a password field). */
export const isLoginPage = (body: string): boolean => /name=["']?password/.test(body);
/** True when the page is the consent form (it has the decision buttons). */
export const isConsentPage = (body: string): boolean => /name=["']?decision/.test(body);
/** The password grant's one failure message, as the login page shows it. */
export const BAD_CREDENTIALS_TEXT =
  /the username or password is incorrect, or the account cannot sign in/i;

export class BrowserFlow {
  readonly jar = new CookieJar();
  /** The last answer received. */
  last!: PageResponse;

  constructor(readonly baseUrl: string) {}

  /** GET (or POST as a form) `/oauth/authorize` with these parameters (pairs may repeat one). */
  async authorize(
    params: Record<string, string> | Array<[string, string]>,
    method: 'GET' | 'POST' = 'GET',
  ): Promise<PageResponse> {
    const pairs = Array.isArray(params) ? params : Object.entries(params);
    const query = new URLSearchParams(pairs).toString();
    return method === 'GET'
      ? this.get(`/oauth/authorize?${query}`)
      : this.post('/oauth/authorize', pairs);
  }

  /** Follows the last redirect if it stays on the identity server; returns the page reached. */
  async follow(): Promise<PageResponse> {
    const location = this.last.location;
    if (!location) throw new Error(`not a redirect (${this.last.status}): ${this.last.body}`);
    if (!location.startsWith(`${this.baseUrl}/`))
      throw new Error(`the redirect leaves the server: ${location}`);
    return this.get(location.slice(this.baseUrl.length));
  }

  /** Follows redirects on the server until a page (not a redirect) or a redirect elsewhere. */
  async followAll(): Promise<PageResponse> {
    for (let hops = 0; hops < 10; hops++) {
      if (!this.last.location || !this.last.location.startsWith(`${this.baseUrl}/`))
        return this.last;
      await this.follow();
    }
    throw new Error('too many redirects');
  }

  /** The interaction uid of the current page (`/interaction/{uid}`). */
  interactionUid(): string {
    const match = /\/interaction\/([^/?#]+)/.exec(this.last.url);
    if (!match) throw new Error(`not on an interaction page: ${this.last.url}`);
    return match[1];
  }

  /** Posts the login form of the current interaction page, with its CSRF token unless overridden. */
  async submitLogin(
    username: string,
    password: string,
    overrides: Record<string, string | undefined> = {},
  ): Promise<PageResponse> {
    const uid = this.interactionUid();
    return this.post(
      `/interaction/${uid}/login`,
      formPairs({ username, password, csrf: csrfOf(this.last.body), ...overrides }),
    );
  }

  /** Posts the consent form of the current interaction page. */
  async submitConsent(
    decision: 'allow' | 'deny',
    overrides: Record<string, string | undefined> = {},
  ): Promise<PageResponse> {
    const uid = this.interactionUid();
    return this.post(
      `/interaction/${uid}/consent`,
      formPairs({ decision, csrf: csrfOf(this.last.body), ...overrides }),
    );
  }

  /**
   * GET /logout (with RP-initiated logout parameters when given), then POST
   * its confirmation form to the form's action.
   */
  async logout(params: Record<string, string> = {}): Promise<PageResponse> {
    const query = new URLSearchParams(params).toString();
    const confirm = await this.get(`/logout${query ? `?${query}` : ''}`);
    return this.post(formActionOf(confirm.body), [['csrf', csrfOf(confirm.body)]]);
  }

  /** The authorization response carried by the last redirect (to the client's redirect URI). */
  callback(): Callback {
    const location = this.last.location;
    if (!location)
      throw new Error(`no redirect to the client (${this.last.status}): ${this.last.body}`);
    const url = new URL(location);
    const params = url.searchParams;
    const get = (name: string) => params.get(name) ?? undefined;
    return {
      target: `${url.origin}${url.pathname}`,
      code: get('code'),
      state: get('state'),
      iss: get('iss'),
      error: get('error'),
      error_description: get('error_description'),
      params,
    };
  }

  async get(path: string): Promise<PageResponse> {
    return this.send(path, { method: 'GET' });
  }

  async post(path: string, pairs: Array<[string, string]>): Promise<PageResponse> {
    return this.send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(pairs).toString(),
    });
  }

  private async send(path: string, init: RequestInit): Promise<PageResponse> {
    const url = `${this.baseUrl}${path}`;
    const cookie = this.jar.headerFor(path.split('?')[0]);
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    this.jar.store(response.headers.getSetCookie());
    const raw = response.headers.get('location');
    this.last = {
      url,
      status: response.status,
      headers: response.headers,
      body: await response.text(),
      location: raw ? new URL(raw, url).toString() : undefined,
    };
    return this.last;
  }
}

function formPairs(fields: Record<string, string | undefined>): Array<[string, string]> {
  return Object.entries(fields).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
}

/** A client registered and approved through the real API, with a secret. */
export interface BrowserClient {
  id: string;
  clientId: string;
  secret: string;
  redirectUris: string[];
  scope: string;
}

/**
 * Registers a client allowed `authorization_code` through the real review
 * flow (register as the admin, approve, issue a secret) and returns its
 * credentials. Third-party unless `firstParty`.
 */
export async function registerBrowserClient(
  server: TestServer,
  options: {
    redirectUris?: string[];
    scope?: string;
    firstParty?: boolean;
    refreshTokens?: boolean;
    name?: string;
  } = {},
): Promise<BrowserClient> {
  const adminToken = await signIn(server, ADMIN.username, ADMIN.password);
  const redirectUris = options.redirectUris ?? ['https://app.example.com/callback'];
  const scope = options.scope ?? 'orders:read';
  const grantTypes = ['authorization_code', ...(options.refreshTokens ? ['refresh_token'] : [])];
  const registered = await apiRequest(server.url, 'POST', '/api/clients', adminToken, {
    name: options.name ?? `app-${randomBytes(3).toString('hex')}`,
    description: 'A web application signing users in through Tessera',
    contact: 'team@example.com',
    grant_types: grantTypes,
    scope,
    redirect_uris: redirectUris,
  });
  expectStatus(registered, 201, 'register');
  const id = registered.body.id as string;
  const approved = await apiRequest(
    server.url,
    'POST',
    `/api/admin/clients/${id}/approve`,
    adminToken,
    { first_party: options.firstParty ?? false },
  );
  expectStatus(approved, 200, 'approve');
  const secret = await apiRequest(server.url, 'POST', `/api/clients/${id}/secret`, adminToken);
  expectStatus(secret, 201, 'issue a secret');
  return {
    id,
    clientId: secret.body.client_id as string,
    secret: secret.body.client_secret as string,
    redirectUris,
    scope,
  };
}

function expectStatus(res: HttpResult, status: number, what: string): void {
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

/** The authorization request parameters for `client` (PKCE S256, a random state), with `extra` on top. */
export function authorizationParams(
  client: BrowserClient,
  challenge: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUris[0],
    scope: client.scope,
    state: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

/** Exchanges a code at the token endpoint (client_secret_basic), RFC 6749 §4.1.3 + RFC 7636 §4.5. */
export function exchangeCode(
  serverUrl: string,
  client: TestClient,
  params: { code: string; redirectUri?: string; verifier?: string },
): Promise<HttpResult> {
  return tokenRequest(serverUrl, client, {
    grant_type: 'authorization_code',
    code: params.code,
    ...(params.redirectUri !== undefined ? { redirect_uri: params.redirectUri } : {}),
    ...(params.verifier !== undefined ? { code_verifier: params.verifier } : {}),
  });
}

/**
 * The whole flow for `browser` up to the code: authorize, sign in if asked,
 * allow if asked. Returns the PKCE verifier, the state sent and the callback.
 */
export async function obtainCode(
  browser: BrowserFlow,
  client: BrowserClient,
  user: { username: string; password: string },
  extra: Record<string, string> = {},
): Promise<{ verifier: string; state: string; callback: Callback }> {
  const { verifier, challenge } = pkcePair();
  const params = authorizationParams(client, challenge, extra);
  await browser.authorize(params);
  for (let step = 0; step < 4; step++) {
    const location = browser.last.location;
    if (location && !location.startsWith(`${browser.baseUrl}/`)) break;
    if (location) {
      await browser.follow();
      continue;
    }
    if (isLoginPage(browser.last.body)) await browser.submitLogin(user.username, user.password);
    else if (isConsentPage(browser.last.body)) await browser.submitConsent('allow');
    else throw new Error(`unexpected page (${browser.last.status}): ${browser.last.body}`);
  }
  return { verifier, state: params.state, callback: browser.callback() };
}
