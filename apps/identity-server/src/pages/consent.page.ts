import { html, sameOriginPath } from './html';
import { layout } from './layout';
import { ConsentPageModel } from './page-models';

/**
 * The consent question (RFC 6749 §4.1.1, RFC 9700 §4.15: the user sees which
 * application asks and what it asks for, in plain words from the scope
 * catalogue, before anything is granted). Allow comes first, so Enter in the
 * form allows, as the first button of a form does; Deny sends the client
 * `access_denied` (§4.1.2.1).
 */
export function renderConsentPage(model: ConsentPageModel): string {
  const scopes = model.scopes.map(
    (scope) =>
      html`<li>
        <span class="scope-description">${scope.description}</span
        ><span class="scope-name">${scope.name}</span>
      </li>`,
  );
  return layout({
    title: `Allow ${model.clientName}?`,
    content: html`<h1>Allow ${model.clientName} to access your account?</h1>
      <p class="who">Signed in as <strong>${model.username}</strong></p>
      ${
        scopes.length
          ? html`<p class="lead"><strong>${model.clientName}</strong> asks to:</p>
              <ul class="scopes">
                ${scopes}
              </ul>`
          : html`<p class="lead">
              <strong>${model.clientName}</strong> asks only to know that you are signed in.
            </p>`
      }
      <form method="post" action="${sameOriginPath(model.action)}">
        <input type="hidden" name="csrf" value="${model.csrfToken}" />
        <div class="actions">
          <button type="submit" name="decision" value="allow">Allow</button>
          <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
        </div>
      </form>
      <p class="fine-print">${model.clientName} gets this access, never your password.</p>`,
  });
}
