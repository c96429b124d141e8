import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DATABASES } from '../support/databases';
import { createUser } from '../support/fixtures';
import {
  authorizationParams,
  BrowserClient,
  exchangeCode,
  pkcePair,
  registerBrowserClient,
} from '../support/browser-flow';
import { decodeJwt, getJson } from '../support/http';
import { startServerOnNewDatabase, TestServer } from '../support/test-server';
import { CallbackServer } from './callback-server';
import { launchChromium, openPage } from './chromium';

/** `npm run docs:screenshots` sets this to docs/screenshots; otherwise a temporary directory. */
const SCREENSHOT_DIR =
  process.env.SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'tessera-screenshots-'));

// A temporary directory goes when the spec ends; docs/screenshots stays.
afterAll(() => {
  if (!process.env.SCREENSHOT_DIR) rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
});

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Saves a PNG of the page and checks the file really is a non-empty PNG. */
async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  expect(statSync(path).size).toBeGreaterThan(1000);
  expect(readFileSync(path).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
}

/** The id of the focused element, read from the page. */
function focusedId(page: Page): Promise<string | null> {
  return page.evaluate('document.activeElement && document.activeElement.id');
}

/**
 * Runs `steps` in a page of a fresh context, then checks that the page had no
 * CSP violation, page error, failed subresource or console error; the context
 * is closed whatever happens.
 */
async function inFreshPage(browser: Browser, steps: (page: Page) => Promise<void>): Promise<void> {
  const { context, page, problems } = await openPage(browser);
  try {
    await steps(page);
    expect(problems).toEqual({ csp: [], console: [], errors: [], failedRequests: [] });
  } finally {
    await context.close();
  }
}

/** The page reflows at 320 CSS px (WCAG 1.4.10, the width of 1280 px at 400 % zoom, and of 640 px at 200 %): nothing scrolls sideways. */
async function expectReflowAt320(page: Page): Promise<void> {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
  if (size) await page.setViewportSize(size);
}

const USER = { username: 'alice.martin', password: `pw-${randomBytes(8).toString('hex')}` };

/**
 * Issue 6 in a real browser: Debian's headless Chromium, driven by
 * playwright-core, signs in on Tessera's pages with the keyboard, consents,
 * and lands on the client's redirect URI with a code the test exchanges for
 * tokens; a second client then gets a code without the password (SSO). Runs
 * on both databases like every e2e spec: the pages are the same, but the
 * session and interaction rows they depend on are stored by each engine.
 */
describe.each(DATABASES)('sign-in in Chromium on %s', (kind) => {
  let browser: Browser;
  let server: TestServer;
  const callbacks = new CallbackServer();
  let orders: BrowserClient;
  let reports: BrowserClient;

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    browser = await launchChromium();
    await callbacks.start();
    server = await startServerOnNewDatabase(kind);
    await createUser(server, USER);
    orders = await registerBrowserClient(server, {
      name: 'Acme Orders',
      redirectUris: [`${callbacks.origin}/callback`],
      scope: 'openid profile orders:read',
    });
    reports = await registerBrowserClient(server, {
      name: 'Acme Reports',
      redirectUris: [`${callbacks.origin}/reports/callback`],
      scope: 'openid orders:read',
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await callbacks.stop();
  });

  /** The authorization request URL for `client` (PKCE S256, state, nonce). */
  function authorizeUrl(client: BrowserClient) {
    const { verifier, challenge } = pkcePair();
    const nonce = randomBytes(8).toString('hex');
    const params = authorizationParams(client, challenge, { nonce });
    return {
      url: `${server.url}/oauth/authorize?${new URLSearchParams(params).toString()}`,
      verifier,
      nonce,
      state: params.state,
    };
  }

  it('signs in with the keyboard, consents, and the client exchanges the code; a second client signs in without the password; signing out ends the session', async () => {
    await inFreshPage(browser, async (page) => {
      // 1. The client sends the browser to the authorization endpoint: the login page.
      const first = authorizeUrl(orders);
      const loginResponse = await page.goto(first.url);
      expect(loginResponse?.status()).toBe(200);
      const headers = loginResponse?.headers() ?? {};
      expect(headers['content-security-policy']).toContain("default-src 'none'");
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['cache-control']).toBe('no-store');
      await expect(page.title()).resolves.toBe('Sign in · Tessera');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
      expect(await page.locator('main').textContent()).toContain('Acme Orders');
      // The stylesheet loaded under the CSP (the card is white on the grey page).
      expect(
        await page.evaluate("getComputedStyle(document.querySelector('main')).backgroundColor"),
      ).toBe('rgb(255, 255, 255)');
      // It is public, cached for a year under its content hash, and never sniffed as something else.
      const href = await page.locator('link[rel="stylesheet"]').getAttribute('href');
      expect(href).toMatch(/^\/assets\/tessera\.css\?v=[0-9a-f]{16}$/);
      const css = await fetch(`${server.url}${href}`);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(css.headers.get('x-content-type-options')).toBe('nosniff');
      await screenshot(page, 'login');
      await expectReflowAt320(page);

      // 2. Keyboard only: the username field has the focus; Tab goes to the password, then to the button.
      // `autofocus` is applied by the browser's next rendering step: wait for it, then check it.
      await page.locator('#username:focus').waitFor();
      expect(await focusedId(page)).toBe('username');
      await page.keyboard.type(USER.username);
      await page.keyboard.press('Tab');
      expect(await focusedId(page)).toBe('password');
      await page.keyboard.type(USER.password);
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Sign in');
      // The keyboard focus is visible: a 3 px outline (WCAG 2.4.7).
      expect(
        await page.evaluate(
          'getComputedStyle(document.activeElement).outlineStyle + " " + getComputedStyle(document.activeElement).outlineWidth',
        ),
      ).toBe('solid 3px');
      await page.keyboard.press('Enter');

      // 3. The consent page: the client, the user, each scope in plain words; Allow first.
      await page.getByRole('button', { name: 'Allow' }).waitFor();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Acme Orders');
      const main = (await page.locator('main').textContent()) ?? '';
      expect(main).toContain('alice.martin');
      expect(main).toContain('See your orders');
      expect(main).toContain('See your username and profile');
      const buttons = await page.locator('form button').allTextContents();
      expect(buttons.map((b) => b.trim())).toEqual(['Allow', 'Deny']);
      await screenshot(page, 'consent');
      await expectReflowAt320(page);
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/callback'),
        page.getByRole('button', { name: 'Allow' }).click(),
      ]);

      // 4. The client's redirect URI receives the code and the same state.
      const landed = new URL(page.url());
      expect(landed.origin).toBe(callbacks.origin);
      expect(landed.searchParams.get('state')).toBe(first.state);
      const code = landed.searchParams.get('code');
      expect(code).toBeTruthy();
      expect(callbacks.callbackFor('/callback', first.state)?.get('code')).toBe(code);

      // 5. The client exchanges it (RFC 6749 §4.1.3, RFC 7636 §4.5).
      const tokens = await exchangeCode(server.url, orders, {
        code: code!,
        redirectUri: orders.redirectUris[0],
        verifier: first.verifier,
      });
      expect(tokens.status).toBe(200);
      expect(tokens.body.token_type).toBe('Bearer');
      expect(typeof tokens.body.access_token).toBe('string');
      const idToken = decodeJwt(tokens.body.id_token as string).payload;
      expect(idToken.aud).toBe(orders.clientId);
      expect(idToken.nonce).toBe(first.nonce);
      const me = await getJson(`${server.url}/oauth/userinfo`, {
        authorization: `Bearer ${tokens.body.access_token as string}`,
      });
      expect(me.status).toBe(200);
      expect(me.body.sub).toBe(idToken.sub);

      // 6. Single sign-on: another client, same browser; no login page this time.
      const second = authorizeUrl(reports);
      await page.goto(second.url);
      await page.waitForURL(
        (url) => url.pathname === '/reports/callback' || url.pathname.startsWith('/interaction/'),
      );
      if (new URL(page.url()).pathname.startsWith('/interaction/')) {
        expect(await page.locator('input[type="password"]').count()).toBe(0);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(
          'Acme Reports',
        );
        await Promise.all([
          page.waitForURL((url) => url.pathname === '/reports/callback'),
          page.getByRole('button', { name: 'Allow' }).click(),
        ]);
      }
      const ssoLanded = new URL(page.url());
      expect(ssoLanded.searchParams.get('state')).toBe(second.state);
      const ssoCode = ssoLanded.searchParams.get('code');
      expect(ssoCode).toBeTruthy();
      const ssoTokens = await exchangeCode(server.url, reports, {
        code: ssoCode!,
        redirectUri: reports.redirectUris[0],
        verifier: second.verifier,
      });
      expect(ssoTokens.status).toBe(200);
      expect(decodeJwt(ssoTokens.body.id_token as string).payload.sub).toBe(idToken.sub);

      // 7. Sign out: a confirmation (POST with the CSRF token), then "You are signed out".
      await page.goto(`${server.url}/logout`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        'Sign out of Tessera?',
      );
      expect(await page.locator('main').textContent()).toContain(USER.username);
      await screenshot(page, 'logout-confirm');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
      await screenshot(page, 'signed-out');

      // 8. The session is over: the next authorization request asks for the password again.
      await page.goto(authorizeUrl(orders).url);
      await page.locator('input[type="password"]').waitFor();
    });
  });

  it('Deny on the consent page sends the client access_denied with its state, and no code', async () => {
    // A client of its own: consent is remembered per client, and Acme Orders may have it already.
    const billing = await registerBrowserClient(server, {
      name: 'Acme Billing',
      redirectUris: [`${callbacks.origin}/callback`],
      scope: 'orders:read',
    });
    await inFreshPage(browser, async (page) => {
      const request = authorizeUrl(billing);
      await page.goto(request.url);
      await page.getByLabel('Username').fill(USER.username);
      await page.getByLabel('Password').fill(USER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await Promise.all([
        page.waitForURL((url) => url.pathname === '/callback'),
        page.getByRole('button', { name: 'Deny' }).click(),
      ]);
      const landed = new URL(page.url()).searchParams;
      expect(landed.get('error')).toBe('access_denied');
      expect(landed.get('state')).toBe(request.state);
      expect(landed.get('code')).toBeNull();
    });
  });

  it('a wrong password shows an alert tied to both fields', async () => {
    await inFreshPage(browser, async (page) => {
      await page.goto(authorizeUrl(orders).url);
      await page.getByLabel('Username').fill(USER.username);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      await expect(page.title()).resolves.toBe('Error: Sign in · Tessera');
      const alertText = ((await alert.textContent()) ?? '').trim();
      expect(alertText.length).toBeGreaterThan(10);
      expect(alertText).not.toContain('not-the-password');
      for (const label of ['Username', 'Password']) {
        const field = page.getByLabel(label);
        expect(await field.getAttribute('aria-invalid')).toBe('true');
        const describedBy = await field.getAttribute('aria-describedby');
        expect(describedBy).toBeTruthy();
        // aria-describedby resolves to the alert's text.
        expect(((await page.locator(`#${describedBy}`).textContent()) ?? '').trim()).toBe(
          alertText,
        );
      }
      // The username is kept, the password is not, and the focus waits in the password field.
      expect(await page.getByLabel('Username').inputValue()).toBe(USER.username);
      expect(await page.getByLabel('Password').inputValue()).toBe('');
      await page.locator('#password:focus').waitFor();
      expect(await focusedId(page)).toBe('password');
      await screenshot(page, 'login-error');
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, 'login-error-dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await expectReflowAt320(page);
    });
  });

  it('an unknown client gets an error page in plain words, and no redirect', async () => {
    await inFreshPage(browser, async (page) => {
      const evil = 'https://evil.example/steal';
      const response = await page.goto(
        `${server.url}/oauth/authorize?${new URLSearchParams({
          response_type: 'code',
          client_id: 'no-such-client',
          redirect_uri: evil,
          state: 'x',
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
        }).toString()}`,
      );
      expect(response?.status()).toBeGreaterThanOrEqual(400);
      expect(new URL(page.url()).origin).toBe(server.url);
      expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
      const heading = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
      expect(heading.length).toBeGreaterThan(5);
      expect(await page.locator('a').count()).toBe(0);
      expect(await page.locator('main').textContent()).not.toContain(evil);
      await screenshot(page, 'error');
    });
  });

  it('follows the reader’s colour scheme: the dark palette when asked for, the light one otherwise', async () => {
    await inFreshPage(browser, async (page) => {
      await page.goto(`${server.url}/oauth/authorize?client_id=no-such-client`);
      // An expression, not a function: the tests are compiled without the DOM's types.
      const colour = (selector: string, property: 'backgroundColor' | 'color') =>
        page.evaluate<string>(
          `getComputedStyle(document.querySelector('${selector}')).${property}`,
        );
      const colours = async () => ({
        page: await colour('body', 'backgroundColor'),
        card: await colour('main', 'backgroundColor'),
        text: await colour('h1', 'color'),
      });
      expect(await colours()).toEqual({
        page: 'rgb(243, 244, 247)',
        card: 'rgb(255, 255, 255)',
        text: 'rgb(27, 33, 48)',
      });
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await colours()).toEqual({
        page: 'rgb(14, 17, 23)',
        card: 'rgb(23, 27, 36)',
        text: 'rgb(233, 236, 243)',
      });
      await screenshot(page, 'error-dark');
    });
  });

  it('gives the icon the scheme’s colours, as an image and as a document under its own CSP', async () => {
    await inFreshPage(browser, async (page) => {
      await page.goto(`${server.url}/oauth/authorize?client_id=no-such-client`);
      const href = await page.getAttribute('link[rel="icon"]', 'href');
      expect(href).toMatch(/^\/assets\/tessera\.svg\?v=[0-9a-f]{16}$/);
      // The icon drawn as an image (as a tab strip draws it), read back at a dark tile.
      const inkPixel = (variant: string) =>
        page.evaluate<number[]>(`(async () => {
          const image = new Image();
          image.src = '${href}&${variant}';
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = 32;
          canvas.height = 32;
          const context = canvas.getContext('2d');
          context.drawImage(image, 0, 0, 32, 32);
          return Array.from(context.getImageData(23, 8, 1, 1).data);
        })()`);
      expect(await inkPixel('light')).toEqual([27, 33, 48, 255]);
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await inkPixel('dark')).toEqual([233, 236, 243, 255]);
      // Opened on its own, the icon is a document: its CSP lets its own style apply, by hash.
      await page.goto(`${server.url}${href}`);
      const fill = (selector: string) =>
        page.evaluate<string>(`getComputedStyle(document.querySelector('${selector}')).fill`);
      expect([await fill('.accent'), await fill('.ink')]).toEqual([
        'rgb(157, 177, 255)',
        'rgb(233, 236, 243)',
      ]);
    });
  });
});
