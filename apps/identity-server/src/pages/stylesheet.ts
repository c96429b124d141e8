/** The light palette: every colour of the pages (and of the icon, `icon.ts`). */
const LIGHT = {
  page: '#f3f4f7',
  surface: '#ffffff',
  text: '#1b2130',
  muted: '#474f62',
  line: '#dde1e8',
  control: '#61697b',
  accent: '#2346c8',
  'accent-hover': '#1d3a9e',
  'on-accent': '#ffffff',
  subtle: '#eef0f4',
  'alert-line': '#f1b8b1',
  'alert-edge': '#b42318',
  'alert-bg': '#fdeeec',
  'alert-text': '#8c1d13',
  'notice-line': '#a9d8bd',
  'notice-edge': '#1e7a4a',
  'notice-bg': '#e8f5ee',
  'notice-text': '#0f5132',
  shadow: 'rgba(27, 33, 48, 0.06)',
};

/** The dark palette, for `prefers-color-scheme: dark`: the same names, the same contrast rules. */
const DARK: Record<keyof typeof LIGHT, string> = {
  page: '#0e1117',
  surface: '#171b24',
  text: '#e9ecf3',
  muted: '#b9c1d0',
  line: '#2c3241',
  control: '#8b94a8',
  accent: '#9db1ff',
  'accent-hover': '#c0ccff',
  'on-accent': '#0b0e16',
  subtle: '#222836',
  'alert-line': '#6e2a23',
  'alert-edge': '#ff8f80',
  'alert-bg': '#3b1613',
  'alert-text': '#ffd0ca',
  'notice-line': '#235a3c',
  'notice-edge': '#5fd39a',
  'notice-bg': '#0d2a1c',
  'notice-text': '#bff3d6',
  shadow: 'rgba(0, 0, 0, 0.35)',
};

export const PALETTES = { light: LIGHT, dark: DARK } as const;

/** A palette as custom properties of `:root`. */
function customProperties(palette: Record<string, string>, indent: string): string {
  const lines = Object.entries(palette).map(([name, colour]) => `${indent}  --${name}: ${colour};`);
  return `${indent}:root {\n${lines.join('\n')}\n${indent}}`;
}

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
 *
 * Colours: every one is a custom property of `:root`, with a dark palette for
 * `prefers-color-scheme: dark` that keeps the same contrast rules.
 * `stylesheet.spec.ts` checks both palettes, and that no rule uses a colour of
 * its own.
 */
export const STYLESHEET = `
*,
*::before,
*::after {
  box-sizing: border-box;
}
${customProperties(LIGHT, '')}
@media (prefers-color-scheme: dark) {
${customProperties(DARK, '  ')}
}
html {
  color-scheme: light dark;
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
  background: var(--page);
  color: var(--text);
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
  background: var(--accent);
}
.brand-mark span:nth-child(2),
.brand-mark span:nth-child(3) {
  background: var(--text);
}
main {
  width: 100%;
  max-width: 27rem;
  padding: 2rem 2rem 1.75rem;
  background: var(--surface);
  border: 1px solid var(--line);
  border-radius: 0.75rem;
  box-shadow: 0 1px 2px var(--shadow), 0 8px 24px var(--shadow);
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
  color: var(--muted);
  overflow-wrap: anywhere;
}
.lead strong,
.who strong {
  color: var(--text);
  font-weight: 600;
}
.alert {
  margin: 0 0 1.25rem;
  padding: 0.75rem 1rem;
  border: 1px solid var(--alert-line);
  border-left: 4px solid var(--alert-edge);
  border-radius: 0.5rem;
  background: var(--alert-bg);
  color: var(--alert-text);
}
.notice {
  margin: 0 0 1.25rem;
  padding: 0.75rem 1rem;
  border: 1px solid var(--notice-line);
  border-left: 4px solid var(--notice-edge);
  border-radius: 0.5rem;
  background: var(--notice-bg);
  color: var(--notice-text);
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
  border: 1px solid var(--control);
  border-radius: 0.5rem;
  background: var(--surface);
  color: var(--text);
  font: inherit;
}
input[aria-invalid='true'] {
  border: 2px solid var(--alert-edge);
}
button {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  min-height: 2.75rem;
  padding: 0.55rem 1.25rem;
  border: 1px solid var(--accent);
  border-radius: 0.5rem;
  background: var(--accent);
  color: var(--on-accent);
  font: inherit;
  font-weight: 600;
  cursor: pointer;
}
button:hover {
  background: var(--accent-hover);
  border-color: var(--accent-hover);
}
button.secondary {
  background: var(--surface);
  color: var(--text);
  border-color: var(--control);
}
button.secondary:hover {
  background: var(--subtle);
}
:focus-visible {
  outline: 3px solid var(--accent);
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
  background: var(--subtle);
  color: var(--muted);
  overflow-wrap: anywhere;
}
.scopes {
  margin: 0 0 1rem;
  padding: 0;
  list-style: none;
  border-top: 1px solid var(--line);
}
.scopes li {
  padding: 0.75rem 0 0.75rem 1.6rem;
  border-bottom: 1px solid var(--line);
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
  background: var(--accent);
}
.scope-description {
  display: block;
  font-weight: 500;
}
.scope-name {
  display: block;
  color: var(--muted);
  font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace;
  font-size: 0.85rem;
}
.fine-print {
  margin: 1.25rem 0 0;
  color: var(--muted);
  font-size: 0.875rem;
}
footer {
  margin-top: 1.5rem;
  color: var(--muted);
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
