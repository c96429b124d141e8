import { renderLogoutPage } from './logout.page';

/** The markup with Prettier's line breaks and indentation folded away, and `/>` or ` >` written `>`, so tests compare content. */
const flat = (page: string) =>
  page
    .replace(/\s+/g, ' ')
    .replace(/>\s+</g, '><')
    .replace(/\s*\/?>/g, '>');

describe('logout page', () => {
  it('asks for confirmation with a POST form carrying the CSRF token', () => {
    const page = flat(
      renderLogoutPage({ state: 'confirm', action: '/logout', csrfToken: 'csrf-3' }),
    );
    expect(page).toContain('<h1>Sign out of Tessera?</h1>');
    expect(page).toContain('<form method="post" action="/logout">');
    expect(page).toContain('<input type="hidden" name="csrf" value="csrf-3">');
    expect(page).toContain('<button type="submit">Sign out</button>');
    expect(page).not.toContain('Signed in as');
  });

  it('names the user when given, escaped', () => {
    const page = flat(
      renderLogoutPage({
        state: 'confirm',
        action: '/logout',
        csrfToken: 'c',
        username: '<i>alice</i>',
      }),
    );
    expect(page).toContain('Signed in as <strong>&lt;i&gt;alice&lt;/i&gt;</strong>');
  });

  it('says the user is signed out, with no form', () => {
    const page = flat(renderLogoutPage({ state: 'done' }));
    expect(page).toContain('<h1>You are signed out</h1>');
    expect(page).toContain('role="status"');
    expect(page).not.toContain('<form');
  });

  it('refuses a confirmation without an action or a CSRF token', () => {
    expect(() => renderLogoutPage({ state: 'confirm', csrfToken: 'c' })).toThrow(TypeError);
    expect(() => renderLogoutPage({ state: 'confirm', action: '/logout' })).toThrow(TypeError);
    expect(() =>
      renderLogoutPage({ state: 'confirm', action: 'https://evil.example', csrfToken: 'c' }),
    ).toThrow(TypeError);
  });
});
