import { STYLESHEET } from './stylesheet';

/** The custom properties of the first `:root { … }` block at or after `from`. */
function palette(from: number): Record<string, string> {
  const start = STYLESHEET.indexOf(':root {', from);
  const body = STYLESHEET.slice(start, STYLESHEET.indexOf('}', start));
  return Object.fromEntries(
    [...body.matchAll(/--([a-z-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]),
  );
}

/** WCAG 2.2 relative luminance of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

const DARK = STYLESHEET.indexOf('@media (prefers-color-scheme: dark)');
const schemes: Array<[string, Record<string, string>]> = [
  ['light', palette(0)],
  ['dark', palette(DARK)],
];

/** Foreground, background, and the least contrast the pages promise for the pair where it is used. */
const PAIRS: Array<[string, string, number, string]> = [
  ['text', 'page', 7, 'body text'],
  ['text', 'surface', 7, 'text in the card and in inputs'],
  ['text', 'subtle', 7, 'a secondary button under the pointer'],
  ['muted', 'surface', 7, 'lead, scope names, fine print'],
  ['muted', 'subtle', 7, 'the signed-in-as box'],
  ['muted', 'page', 7, 'the footer'],
  ['on-accent', 'accent', 7, 'a button'],
  ['on-accent', 'accent-hover', 7, 'a button under the pointer'],
  ['alert-text', 'alert-bg', 7, 'an error message'],
  ['notice-text', 'notice-bg', 7, 'a notice'],
  ['control', 'surface', 4.7, 'the border of inputs and secondary buttons'],
  ['control', 'subtle', 4.7, 'the border of a secondary button under the pointer'],
  ['accent', 'surface', 3, 'the focus outline in the card'],
  ['accent', 'page', 3, 'the focus outline outside it'],
  ['alert-edge', 'surface', 3, 'the border of an invalid input'],
  ['alert-edge', 'alert-bg', 3, 'the edge of an error message'],
  ['notice-edge', 'notice-bg', 3, 'the edge of a notice'],
];

describe('the stylesheet', () => {
  it('has a dark palette with the same properties as the light one', () => {
    expect(DARK).toBeGreaterThan(0);
    const [[, light], [, dark]] = schemes;
    expect(Object.keys(dark).sort()).toEqual(Object.keys(light).sort());
    expect(STYLESHEET).toContain('color-scheme: light dark;');
  });

  it('takes every colour from the palette (no rule has a colour of its own)', () => {
    const rules = STYLESHEET.slice(STYLESHEET.indexOf('html {'));
    // Every declaration of a property that can take a colour (any *color*, background*,
    // border* but its radius, outline* but its offset, *shadow, fill, stroke, text-decoration*).
    const colourProperty =
      /color|^background|^border(?!-radius)|^outline(?!-offset)|shadow$|^fill$|^stroke$|^text-decoration/;
    const declarations = [...rules.matchAll(/(?:^|[\s;{])([a-z-]+):\s*([^;{}]+);/g)].filter(
      ([, property]) => colourProperty.test(property),
    );
    expect(declarations.length).toBeGreaterThan(20);
    // What is left of a value without its var(--…) may hold lengths and keywords, never a colour.
    const allowed = /^(-?[\d.]+(px|rem|em|%)?|solid|none|inherit|light|dark)$/;
    const own = declarations.flatMap(([, property, value]) => {
      const rest = value
        .replace(/var\(--[a-z-]+\)/g, '')
        .split(/[\s,]+/)
        .filter(Boolean);
      return rest.every((token) => allowed.test(token)) ? [] : [`${property}: ${value}`];
    });
    expect(own).toEqual([]);
  });

  it.each(schemes)('keeps the promised contrast in the %s palette', (_scheme, colours) => {
    const short = PAIRS.flatMap(([fg, bg, least, where]) => {
      const ratio = contrast(colours[fg], colours[bg]);
      return ratio >= least
        ? []
        : [`${where}: ${fg} on ${bg} is ${ratio.toFixed(2)}:1 < ${least}:1`];
    });
    expect(short).toEqual([]);
  });

  it('computes contrast as WCAG does', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});
