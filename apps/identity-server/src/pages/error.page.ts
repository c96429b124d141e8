import { html } from './html';
import { layout } from './layout';
import { ErrorPageModel } from './page-models';
import { asSentence, asTitle } from './plain-text';

/**
 * A request Tessera cannot answer by redirecting (RFC 6749 §4.1.2.1: an
 * unknown client or a redirect URI that does not match is never redirected
 * to). The page says what went wrong in words and offers no link: the
 * request's URLs are the attacker's, and the user is told to go back instead.
 */
export function renderErrorPage(model: ErrorPageModel): string {
  return layout({
    title: asTitle(model.title),
    content: html`<h1>${asTitle(model.title)}</h1>
      <p class="lead">${asSentence(model.message)}</p>
      <p class="fine-print">
        Nothing was shared with the application. Go back to the application you came from and try
        again; if this keeps happening, contact its support team.
      </p>`,
  });
}
