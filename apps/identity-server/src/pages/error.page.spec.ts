import { renderErrorPage } from './error.page';

/** The markup with Prettier's line breaks and indentation folded away, and `/>` or ` >` written `>`, so tests compare content. */
const flat = (page: string) =>
  page
    .replace(/\s+/g, ' ')
    .replace(/>\s+</g, '><')
    .replace(/\s*\/?>/g, '>');

const occurrences = (page: string, text: string) => page.split(text).length - 1;

describe('error page', () => {
  it('says what went wrong in words, with no link and no form', () => {
    const page = flat(
      renderErrorPage({
        title: 'This application is not registered',
        message: 'The sign-in request names an application that Tessera does not know.',
      }),
    );
    expect(page).toContain('<h1>This application is not registered</h1>');
    expect(page).toContain('names an application that Tessera does not know.');
    expect(page).toContain('<title>This application is not registered · Tessera</title>');
    expect(occurrences(page, '<a ')).toBe(0);
    expect(occurrences(page, '<form')).toBe(0);
  });

  it('never turns an attacker URL into markup or a link', () => {
    const page = flat(
      renderErrorPage({
        title: '<script>alert(1)</script>',
        message:
          'redirect_uri https://evil.example/"><a href="https://evil.example">click</a> is not registered',
      }),
    );
    expect(page).not.toMatch(/<script|<a\s|href="https:\/\/evil/);
    expect(page).toContain('&lt;a href=&quot;https://evil.example&quot;&gt;click&lt;/a&gt;');
    expect(page).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
  });
});
