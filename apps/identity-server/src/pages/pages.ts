/**
 * CONTRACT (issue 6): the server-rendered pages of the browser flow. The
 * authorization endpoint and interaction controllers call these; the pages
 * module owns the markup, the stylesheet and the security headers. Every
 * string passed in is plain text and is escaped by the view.
 */
export type {
  ConsentPageModel,
  ErrorPageModel,
  LoginPageModel,
  LogoutPageModel,
  ScopeDescription,
} from './page-models';
export type { PageOptions } from './page-headers';
export { sendPage } from './page-headers';
export { renderConsentPage } from './consent.page';
export { renderErrorPage } from './error.page';
export { renderLoginPage } from './login.page';
export { renderLogoutPage } from './logout.page';
