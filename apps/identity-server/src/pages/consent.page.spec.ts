import { renderConsentPage } from './consent.page';

/** The markup with Prettier's line breaks and indentation folded away, and `/>` or ` >` written `>`, so tests compare content. */
const flat = (page: string) =>
  page
    .replace(/\s+/g, ' ')
    .replace(/>\s+</g, '><')
    .replace(/\s*\/?>/g, '>');

const occurrences = (page: string, text: string) => page.split(text).length - 1;

const model = {
  action: '/interaction/uid-2/consent',
  csrfToken: 'csrf-token-2',
  clientName: 'Acme Orders',
  username: 'alice',
  scopes: [
    { name: 'orders:read', description: 'Read your orders' },
    { name: 'profile', description: 'See your name and username' },
  ],
};

describe('consent page', () => {
  it('names the client and the signed-in user', () => {
    const page = flat(renderConsentPage(model));
    expect(page).toContain('<h1>Allow Acme Orders to access your account?</h1>');
    expect(page).toContain('Signed in as <strong>alice</strong>');
    expect(page).toContain('<title>Allow Acme Orders? · Tessera</title>');
  });

  it('lists each scope with its plain-words description, in the order given', () => {
    const page = flat(renderConsentPage(model));
    expect(occurrences(page, '<li>')).toBe(2);
    expect(page).toContain(
      '<li><span class="scope-description">Read your orders</span><span class="scope-name">orders:read</span></li>',
    );
    expect(page.indexOf('orders:read')).toBeLessThan(page.indexOf('>profile<'));
  });

  it('says so when no scope is asked for', () => {
    const page = flat(renderConsentPage({ ...model, scopes: [] }));
    expect(page).not.toContain('<ul');
    expect(page).toContain('asks only to know that you are signed in');
  });

  it('posts the CSRF token and a decision: Allow first, then Deny', () => {
    const page = flat(renderConsentPage(model));
    expect(page).toContain('<form method="post" action="/interaction/uid-2/consent">');
    expect(page).toContain('<input type="hidden" name="csrf" value="csrf-token-2">');
    const allow = page.indexOf(
      '<button type="submit" name="decision" value="allow">Allow</button>',
    );
    const deny = page.indexOf(
      '<button type="submit" name="decision" value="deny" class="secondary">Deny</button>',
    );
    expect(allow).toBeGreaterThan(0);
    expect(deny).toBeGreaterThan(allow);
    expect(page).not.toContain('tabindex');
  });

  it('escapes the client name, the username and the scopes', () => {
    const page = flat(
      renderConsentPage({
        ...model,
        clientName: '<script>alert(1)</script>',
        username: '<b>mallory</b>',
        scopes: [{ name: '"><i>', description: '</li></ul><form action="https://evil.example">' }],
      }),
    );
    expect(page).not.toMatch(/<script|<b>|<i>|evil\.example">/);
    expect(occurrences(page, '<form ')).toBe(1);
    expect(page).toContain(
      '&lt;/li&gt;&lt;/ul&gt;&lt;form action=&quot;https://evil.example&quot;&gt;',
    );
  });
});
