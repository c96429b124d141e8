import { renderLoginPage } from './login.page';

/** The markup with Prettier's line breaks and indentation folded away, and `/>` or ` >` written `>`, so tests compare content. */
const flat = (page: string) =>
  page
    .replace(/\s+/g, ' ')
    .replace(/>\s+</g, '><')
    .replace(/\s*\/?>/g, '>');

/** The opening tag of the element with `id`. */
function tagWithId(page: string, id: string): string {
  const match = new RegExp(`<[a-z]+ [^>]*\\bid="${id}"[^>]*>`).exec(page);
  if (!match) throw new Error(`no element with id="${id}"`);
  return match[0];
}

const occurrences = (page: string, text: string) => page.split(text).length - 1;

const model = {
  action: '/interaction/uid-1/login',
  csrfToken: 'csrf-token-1',
  clientName: 'Acme Orders',
};

describe('login page', () => {
  it('names the application and posts username, password and the CSRF token to the action', () => {
    const page = flat(renderLoginPage(model));
    expect(page).toContain('<h1>Sign in</h1>');
    expect(page).toContain('to continue to <strong>Acme Orders</strong>');
    expect(page).toContain('<form method="post" action="/interaction/uid-1/login">');
    expect(page).toContain('<input type="hidden" name="csrf" value="csrf-token-1">');
    expect(page).toContain('<button type="submit">Sign in</button>');
  });

  it('labels each field and gives it the autocomplete and required attributes', () => {
    const page = flat(renderLoginPage(model));
    expect(page).toContain('<label for="username">Username</label>');
    expect(page).toContain('<label for="password">Password</label>');
    const username = tagWithId(page, 'username');
    expect(username).toContain('name="username"');
    expect(username).toContain('type="text"');
    expect(username).toContain('autocomplete="username"');
    expect(username).toContain(' required');
    expect(username).toContain(' autofocus');
    const password = tagWithId(page, 'password');
    expect(password).toContain('name="password"');
    expect(password).toContain('type="password"');
    expect(password).toContain('autocomplete="current-password"');
    expect(password).toContain(' required');
    expect(password).not.toContain('value=');
  });

  it.each([undefined, '', '  '])('has no error markup without an error (%j)', (error) => {
    const page = flat(renderLoginPage({ ...model, error }));
    expect(page).not.toContain('role="alert"');
    expect(page).not.toContain('aria-invalid');
    expect(page).not.toContain('aria-describedby');
    expect(page).toContain('<title>Sign in · Tessera</title>');
  });

  it('after a failure: an alert tied to both fields, both invalid, the username kept, focus on the password', () => {
    const page = flat(
      renderLoginPage({
        ...model,
        username: 'alice',
        error: 'Wrong username or password.',
      }),
    );
    expect(tagWithId(page, 'login-error')).toBe(
      '<div class="alert" id="login-error" role="alert">',
    );
    expect(page).toContain('role="alert">Wrong username or password.</div>');
    for (const id of ['username', 'password']) {
      const field = tagWithId(page, id);
      expect(field).toContain('aria-invalid="true"');
      expect(field).toContain('aria-describedby="login-error"');
    }
    expect(tagWithId(page, 'username')).toContain('value="alice"');
    expect(tagWithId(page, 'username')).not.toContain('autofocus');
    expect(tagWithId(page, 'password')).toContain(' autofocus');
    expect(occurrences(page, 'autofocus')).toBe(1);
    expect(page).toContain('<title>Error: Sign in · Tessera</title>');
  });

  it('keeps the fields in visual order with no tabindex', () => {
    const page = flat(renderLoginPage(model));
    expect(page.indexOf('id="username"')).toBeLessThan(page.indexOf('id="password"'));
    expect(page.indexOf('id="password"')).toBeLessThan(page.indexOf('type="submit"'));
    expect(page).not.toContain('tabindex');
  });

  it('escapes every value it is given', () => {
    const page = flat(
      renderLoginPage({
        action: '/interaction/x/login',
        csrfToken: '"><script>1</script>',
        clientName: '<img src=x onerror=alert(1)>',
        username: '" autofocus onfocus="alert(1)',
        error: '</div><script>2</script>',
      }),
    );
    expect(page).not.toMatch(/<script|<img|" onfocus/);
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;1&lt;/script&gt;"');
    expect(page).toContain('<strong>&lt;img src=x onerror=alert(1)&gt;</strong>');
    expect(page).toContain('value="&quot; autofocus onfocus=&quot;alert(1)"');
    expect(page).toContain('&lt;/div&gt;&lt;script&gt;2&lt;/script&gt;');
  });

  it('refuses an action that is not a same-origin path', () => {
    expect(() => renderLoginPage({ ...model, action: 'javascript:alert(1)' })).toThrow(TypeError);
    expect(() => renderLoginPage({ ...model, action: '//evil.example/x' })).toThrow(TypeError);
  });
});
