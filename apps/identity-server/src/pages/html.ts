/**
 * HTML built by construction: the `html` tagged template escapes every
 * interpolated value unless it is a fragment made by `html` itself, so a
 * page cannot render a caller's text as markup by forgetting to escape it.
 *
 * Values may appear only in text content and in double-quoted attribute
 * values (both are safe once `& < > " '` are escaped, HTML Living Standard
 * §13.1.2.3 and §13.2.5.36). Unquoted attributes are refused when the
 * template is used; the pages never interpolate into `<script>`, `<style>` or
 * URL-valued attributes other than same-origin paths checked by `sameOriginPath`.
 *
 * Prettier formats templates tagged `html` as HTML: it changes whitespace
 * between elements only, never the text or the attributes.
 */

/** Only this module can make a fragment: the key is not exported. */
const TRUSTED = Symbol('tessera.trusted-html');

/** Markup produced by `html`; its text is never escaped again. */
export class HtmlFragment {
  readonly #markup: string;

  constructor(key: symbol, markup: string) {
    if (key !== TRUSTED) throw new TypeError('HtmlFragment is made by the html template only');
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

/** What may be interpolated: text (escaped), fragments (kept), lists of either, and nothing (`null`, `undefined`, `false` render as ''). */
export type HtmlValue =
  string | number | HtmlFragment | null | undefined | false | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML text content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// `name=${value}` with no quote: an unquoted value ends at a space, so text
// could add attributes even when escaped. Refused at render time.
const UNQUOTED_ATTRIBUTE = /[\w:-]\s*=\s*$/;

function render(value: HtmlValue): string {
  if (value instanceof HtmlFragment) return value.toString();
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return escapeHtml(String(value));
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  throw new TypeError(`cannot render ${typeof value} as HTML`);
}

/** The tagged template: `html\`<p>${text}</p>\`` escapes `text`; nested `html` fragments are kept as markup. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): HtmlFragment {
  let markup = strings[0];
  values.forEach((value, i) => {
    if (UNQUOTED_ATTRIBUTE.test(strings[i])) {
      throw new TypeError('html: quote attribute values ("...") that hold interpolated text');
    }
    markup += render(value) + strings[i + 1];
  });
  return new HtmlFragment(TRUSTED, markup);
}

/**
 * A same-origin absolute path for an `action` or `href` (e.g.
 * `/interaction/abc/login`): escaping keeps text inside the attribute but
 * does not stop `javascript:` or `//evil.example`, so those are refused.
 */
export function sameOriginPath(path: string): string {
  if (!/^\/(?![/\\])[^\s\\]*$/.test(path)) {
    throw new TypeError('expected a same-origin path starting with a single "/"');
  }
  return path;
}
