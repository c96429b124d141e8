import { createHash } from 'node:crypto';
import { ICON_STYLE, ICON_SVG } from './icon';
import { STYLESHEET } from './stylesheet';

/** A file the pages link to, served by `AssetsController` from memory. */
export interface StaticAsset {
  /** The file name under `/assets/`. */
  file: string;
  contentType: string;
  body: string;
  /** Content hash: part of the URL pages link to, so a changed file is a new URL. */
  hash: string;
  /** The versioned URL pages link to: `/assets/{file}?v={hash}`. */
  url: string;
  /** Its Content-Security-Policy: what it may load or apply when opened as a document. */
  csp: string;
}

function asset(
  file: string,
  contentType: string,
  body: string,
  csp = "default-src 'none'",
): StaticAsset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return { file, contentType, body, hash, url: `/assets/${file}?v=${hash}`, csp };
}

/**
 * The icon's policy: nothing, except its own `<style>` element, named by the
 * SHA-256 of its text (a CSP Level 3 hash source), so no other style could apply.
 */
const ICON_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(ICON_STYLE).digest('base64')}'`;

export const STYLESHEET_ASSET = asset('tessera.css', 'text/css; charset=utf-8', STYLESHEET);
export const ICON_ASSET = asset('tessera.svg', 'image/svg+xml', ICON_SVG, ICON_CSP);

/** Every asset by file name. */
export const ASSETS: ReadonlyMap<string, StaticAsset> = new Map(
  [STYLESHEET_ASSET, ICON_ASSET].map((a) => [a.file, a]),
);
