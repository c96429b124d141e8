import { escapeHtml, html, HtmlFragment, sameOriginPath } from './html';

// An alias: Prettier reformats templates tagged `html`, and these tests compare exact markup.
const h = html;

describe('html template', () => {
  it('escapes a script tag in text', () => {
    const name = '<script>alert(1)</script>';
    expect(h`<p>${name}</p>`.toString()).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('keeps quotes from ending an attribute value', () => {
    const value = '" autofocus onfocus="alert(1)';
    const out = h`<input value="${value}">`.toString();
    expect(out).toBe('<input value="&quot; autofocus onfocus=&quot;alert(1)">');
    expect(out.match(/"/g)).toHaveLength(2);
    expect(h`<a title='${"' x='1"}'>`.toString()).toBe("<a title='&#39; x=&#39;1'>");
  });

  it('escapes a closing tag sequence and ampersands (no entity smuggling)', () => {
    expect(h`<title>${'</title><script>x</script>'}</title>`.toString()).toBe(
      '<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;</title>',
    );
    expect(h`${'&lt;b&gt; & co'}`.toString()).toBe('&amp;lt;b&amp;gt; &amp; co');
  });

  it('escapes each of & < > " \'', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    expect(escapeHtml('plain text é 日本')).toBe('plain text é 日本');
  });

  it('keeps fragments made by html as markup, without escaping them twice', () => {
    const inner = h`<b>${'a & b'}</b>`;
    expect(h`<p>${inner}</p>`.toString()).toBe('<p><b>a &amp; b</b></p>');
  });

  it('renders lists item by item, and nothing for null, undefined and false', () => {
    const items = ['<1>', '2'].map((x) => h`<li>${x}</li>`);
    expect(h`<ul>${items}</ul>`.toString()).toBe('<ul><li>&lt;1&gt;</li><li>2</li></ul>');
    expect(h`<p>${null}${undefined}${false}${0}</p>`.toString()).toBe('<p>0</p>');
    expect(h`${['<i>', h`<i>`]}`.toString()).toBe('&lt;i&gt;<i>');
  });

  it('refuses values that are neither text nor fragments, and fragments not made by html', () => {
    const fake = { toString: () => '<script>' } as unknown as string;
    expect(() => h`<p>${fake}</p>`).toThrow(TypeError);
    expect(() => new HtmlFragment(Symbol('tessera.trusted-html'), '<script>')).toThrow(TypeError);
  });

  it('refuses interpolation into an unquoted attribute value', () => {
    expect(() => h`<input value=${'x onfocus=alert(1)'}>`).toThrow(/quote/);
    expect(() => h`<input data-x = ${'x'}>`).toThrow(/quote/);
  });
});

describe('sameOriginPath', () => {
  it.each(['/interaction/abc/login', '/logout', '/interaction/a-b_c/consent?x=1'])(
    'accepts %s',
    (path) => expect(sameOriginPath(path)).toBe(path),
  );

  it.each([
    'javascript:alert(1)',
    'https://evil.example/login',
    '//evil.example/login',
    '/\\evil.example',
    'interaction/abc',
    '',
    '/a b',
  ])('refuses %j', (path) => {
    expect(() => sameOriginPath(path)).toThrow(TypeError);
  });
});
