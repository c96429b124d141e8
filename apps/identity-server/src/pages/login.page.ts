import { html, sameOriginPath } from './html';
import { layout } from './layout';
import { LoginPageModel } from './page-models';
import { asSentence } from './plain-text';

const ERROR_ID = 'login-error';

/**
 * The sign-in form (RFC 6749 §4.1.1: the authorization server authenticates
 * the resource owner itself; the client never sees the password). After a
 * failure the message is an alert that both fields point to with
 * `aria-describedby` (read again when the focused password field is), and
 * both fields are marked `aria-invalid`: the message never says which of the
 * two was wrong (no account enumeration).
 */
export function renderLoginPage(model: LoginPageModel): string {
  const message = asSentence(model.error ?? '');
  const failed = message !== '';
  const invalid = failed ? html` aria-invalid="true" aria-describedby="${ERROR_ID}"` : '';
  // The first empty field takes the focus: the username, or the password once the username is re-filled.
  const focusUsername = !model.username;
  return layout({
    // The title says it first, as screen readers read it before anything else (GOV.UK pattern).
    title: failed ? 'Error: Sign in' : 'Sign in',
    content: html`<h1>Sign in</h1>
      <p class="lead">to continue to <strong>${model.clientName}</strong></p>
      ${failed && html`<div class="alert" id="${ERROR_ID}" role="alert">${message}</div>`}
      <form method="post" action="${sameOriginPath(model.action)}">
        <input type="hidden" name="csrf" value="${model.csrfToken}" />
        <div class="field">
          <label for="username">Username</label>
          <input
            type="text"
            id="username"
            name="username"
            value="${model.username ?? ''}"
            autocomplete="username"
            autocapitalize="none"
            spellcheck="false"
            required${invalid}${focusUsername && html` autofocus`}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            type="password"
            id="password"
            name="password"
            autocomplete="current-password"
            required${invalid}${!focusUsername && html` autofocus`}
          />
        </div>
        <div class="actions"><button type="submit">Sign in</button></div>
      </form>
      <p class="fine-print">
        Your password goes only to Tessera. ${model.clientName} never sees it.
      </p>`,
  });
}
