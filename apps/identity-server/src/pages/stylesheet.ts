/**
 * The one stylesheet of Tessera's pages, served from `/assets/tessera.css`
 * (CSP `style-src 'self'`: no inline styles anywhere). Kept in TypeScript so
 * the build has no asset step; `assets.ts` hashes it into its URL.
 *
 * Accessibility (WCAG 2.2 AA): text contrast is at least 7:1 and borders of
 * controls at least 4.7:1 against their background; every focusable element
 * shows a 3 px outline (`:focus-visible`, §2.4.7/2.4.13); sizes are in rem so
 * the pages reflow at 320 px and 200 % zoom (§1.4.4, §1.4.10); buttons keep a
 * border so they stay visible in forced-colours mode.
 */
export const STYLESHEET = `
*,
*::before,
*::after {
  box-sizing: border-box;
}
html {
  color-scheme: light;
  -webkit-text-size-adjust: 100%;
  text-size-adjust: 100%;
}
body {
  margin: 0;
  min-height: 100vh;
  display: flex;
  flex-direction: column;
  align-items: center;
  padding: 2.5rem 1rem 1.5rem;
  background: #f3f4f7;
  color: #1b2130;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', Arial, sans-serif;
  font-size: 1rem;
  line-height: 1.5;
}
.brand {
  display: flex;
  align-items: center;
  gap: 0.6rem;
  margin-bottom: 1.5rem;
  font-size: 1.125rem;
  font-weight: 650;
  letter-spacing: 0.01em;
}
.brand-mark {
  display: grid;
  grid-template-columns: repeat(2, 0.55rem);
  gap: 0.15rem;
}
.brand-mark span {
  width: 0.55rem;
  height: 0.55rem;
  border-radius: 0.12rem;
  background: #2346c8;
}
.brand-mark span:nth-child(2),
.brand-mark span:nth-child(3) {
  background: #1b2130;
}
main {
  width: 100%;
  max-width: 27rem;
  padding: 2rem 2rem 1.75rem;
  background: #ffffff;
  border: 1px solid #dde1e8;
  border-radius: 0.75rem;
  box-shadow: 0 1px 2px rgba(27, 33, 48, 0.06), 0 8px 24px rgba(27, 33, 48, 0.06);
}
h1 {
  margin: 0 0 0.75rem;
  font-size: 1.5rem;
  line-height: 1.25;
  font-weight: 650;
  overflow-wrap: anywhere;
}
p {
  margin: 0 0 1rem;
}
main > :last-child {
  margin-bottom: 0;
}
.lead {
  color: #4a5366;
  overflow-wrap: anywhere;
}
.lead strong,
.who strong {
  color: #1b2130;
  font-weight: 600;
}
.alert {
  margin: 0 0 1.25rem;
  padding: 0.75rem 1rem;
  border: 1px solid #f1b8b1;
  border-left: 4px solid #b42318;
  border-radius: 0.5rem;
  background: #fdeeec;
  color: #8c1d13;
}
.notice {
  margin: 0 0 1.25rem;
  padding: 0.75rem 1rem;
  border: 1px solid #a9d8bd;
  border-left: 4px solid #1e7a4a;
  border-radius: 0.5rem;
  background: #e8f5ee;
  color: #0f5132;
}
form {
  margin: 0;
}
.field {
  margin-bottom: 1.1rem;
}
label {
  display: block;
  margin-bottom: 0.35rem;
  font-weight: 600;
}
input[type='text'],
input[type='password'] {
  display: block;
  width: 100%;
  min-height: 2.75rem;
  padding: 0.55rem 0.75rem;
  border: 1px solid #6b7385;
  border-radius: 0.5rem;
  background: #ffffff;
  color: #1b2130;
  font: inherit;
}
input[aria-invalid='true'] {
  border: 2px solid #b42318;
}
button {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  min-height: 2.75rem;
  padding: 0.55rem 1.25rem;
  border: 1px solid #2346c8;
  border-radius: 0.5rem;
  background: #2346c8;
  color: #ffffff;
  font: inherit;
  font-weight: 600;
  cursor: pointer;
}
button:hover {
  background: #1d3a9e;
  border-color: #1d3a9e;
}
button.secondary {
  background: #ffffff;
  color: #1b2130;
  border-color: #6b7385;
}
button.secondary:hover {
  background: #eef0f4;
}
:focus-visible {
  outline: 3px solid #2346c8;
  outline-offset: 2px;
}
input:focus-visible {
  outline-offset: 1px;
}
.actions {
  display: flex;
  flex-wrap: wrap;
  gap: 0.75rem;
  margin-top: 1.5rem;
}
.actions button {
  flex: 1 1 9rem;
}
.who {
  margin: 0 0 1.25rem;
  padding: 0.6rem 0.85rem;
  border-radius: 0.5rem;
  background: #eef0f4;
  color: #4a5366;
  overflow-wrap: anywhere;
}
.scopes {
  margin: 0 0 1rem;
  padding: 0;
  list-style: none;
  border-top: 1px solid #dde1e8;
}
.scopes li {
  padding: 0.75rem 0 0.75rem 1.6rem;
  border-bottom: 1px solid #dde1e8;
  position: relative;
  overflow-wrap: anywhere;
}
.scopes li::before {
  content: '';
  position: absolute;
  left: 0.25rem;
  top: 1.2rem;
  width: 0.55rem;
  height: 0.55rem;
  border-radius: 50%;
  background: #2346c8;
}
.scope-description {
  display: block;
  font-weight: 500;
}
.scope-name {
  display: block;
  color: #4a5366;
  font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace;
  font-size: 0.85rem;
}
.fine-print {
  margin: 1.25rem 0 0;
  color: #4a5366;
  font-size: 0.875rem;
}
footer {
  margin-top: 1.5rem;
  color: #4a5366;
  font-size: 0.8125rem;
}
@media (max-width: 30rem) {
  body {
    padding: 1.25rem 0.75rem;
  }
  main {
    padding: 1.5rem 1.25rem;
  }
}
`.trimStart();
