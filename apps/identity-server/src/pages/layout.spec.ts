import { renderConsentPage } from './consent.page';
import { renderErrorPage } from './error.page';
import { renderLoginPage } from './login.page';
import { renderLogoutPage } from './logout.page';
import { ICON_ASSET, STYLESHEET_ASSET } from './assets';

/** The markup with Prettier's line breaks and indentation folded away, and `/>` or ` >` written `>`, so tests compare content. */
const flat = (page: string) =>
  page
    .replace(/\s+/g, ' ')
    .replace(/>\s+</g, '><')
    .replace(/\s*\/?>/g, '>');

const pages: Array<[string, string]> = [
  ['login', flat(renderLoginPage({ action: '/i/1/login', csrfToken: 'c', clientName: 'App' }))],
  [
    'login after a failure',
    flat(renderLoginPage({ action: '/i/1/login', csrfToken: 'c', clientName: 'App', error: 'No' })),
  ],
  [
    'consent',
    flat(
      renderConsentPage({
        action: '/i/1/consent',
        csrfToken: 'c',
        clientName: 'App',
        username: 'alice',
        scopes: [{ name: 'orders:read', description: 'Read your orders' }],
      }),
    ),
  ],
  ['error', flat(renderErrorPage({ title: 'Oops', message: 'Something failed.' }))],
  [
    'logout confirmation',
    flat(renderLogoutPage({ state: 'confirm', action: '/logout', csrfToken: 'c' })),
  ],
  ['signed out', flat(renderLogoutPage({ state: 'done' }))],
];

const occurrences = (page: string, text: string) => page.split(text).length - 1;

describe.each(pages)('the %s page', (_name, page) => {
  it('is a complete English document with one main landmark and one h1', () => {
    expect(page.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(occurrences(page, '<main>')).toBe(1);
    expect(occurrences(page, '<h1>')).toBe(1);
    expect(page.indexOf('<main>')).toBeLessThan(page.indexOf('<h1>'));
    expect(page.indexOf('<h1>')).toBeLessThan(page.indexOf('</main>'));
    expect(page).toMatch(/<title>[^<]+ · Tessera<\/title>/);
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('links the hashed stylesheet and has no script, inline style or event handler (CSP)', () => {
    expect(page).toContain(
      `<link rel="stylesheet" href="/assets/tessera.css?v=${STYLESHEET_ASSET.hash}">`,
    );
    expect(page).toContain(
      `<link rel="icon" href="/assets/tessera.svg?v=${ICON_ASSET.hash}" type="image/svg+xml">`,
    );
    expect(page).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=|javascript:/i);
  });

  it('has no tabindex (focus order is the document order)', () => {
    expect(page).not.toContain('tabindex');
  });
});
