import { html, HtmlFragment } from './html';
import { ICON_ASSET, STYLESHEET_ASSET } from './assets';

/**
 * The document around every page: language, viewport, the one stylesheet,
 * the Tessera mark, and one `<main>` landmark holding the page's content
 * (which brings the page's one `<h1>`). No script, no inline style (CSP).
 */
export function layout(page: { title: string; content: HtmlFragment }): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="robots" content="noindex, nofollow" />
        <title>${page.title} · Tessera</title>
        <link rel="icon" href="${ICON_ASSET.url}" type="image/svg+xml" />
        <link rel="stylesheet" href="${STYLESHEET_ASSET.url}" />
      </head>
      <body>
        <header class="brand">
          <span class="brand-mark" aria-hidden="true"
            ><span></span><span></span><span></span><span></span></span
          >Tessera
        </header>
        <main>${page.content}</main>
        <footer>Tessera identity service</footer>
      </body>
    </html> `.toString();
}
