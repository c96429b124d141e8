import { html, sameOriginPath } from './html';
import { layout } from './layout';
import { LogoutPageModel } from './page-models';

/**
 * Sign-out in two steps: a confirmation form (a POST carrying the CSRF
 * token, so a link or an image elsewhere cannot end the session) and a page
 * saying it is done.
 */
export function renderLogoutPage(model: LogoutPageModel): string {
  if (model.state === 'done') {
    return layout({
      title: 'Signed out',
      content: html`<h1>You are signed out</h1>
        <div class="notice" role="status">Your Tessera session has ended.</div>
        <p class="lead">
          Applications will ask you to sign in again the next time they send you to Tessera. You can
          close this window.
        </p>`,
    });
  }
  if (!model.action || !model.csrfToken) {
    throw new TypeError('the sign-out confirmation needs an action and a CSRF token');
  }
  return layout({
    title: 'Sign out',
    content: html`<h1>Sign out of Tessera?</h1>
      ${model.username && html`<p class="who">Signed in as <strong>${model.username}</strong></p>`}
      <p class="lead">
        This ends your Tessera session in this browser. Applications you already use keep their own
        sign-in until it expires.
      </p>
      <form method="post" action="${sameOriginPath(model.action)}">
        <input type="hidden" name="csrf" value="${model.csrfToken}" />
        <div class="actions"><button type="submit">Sign out</button></div>
      </form>`,
  });
}
