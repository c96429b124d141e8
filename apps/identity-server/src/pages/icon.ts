import { PALETTES } from './stylesheet';

const { light, dark } = PALETTES;

/**
 * The icon's one rule set: the palette's accent and text colours, the dark
 * palette's under `prefers-color-scheme: dark`, so the dark tiles stay
 * visible on a dark tab strip. The asset's CSP allows exactly this text, by
 * its hash (`ICON_CSP` in `assets.ts`).
 */
export const ICON_STYLE =
  `.accent{fill:${light.accent}}.ink{fill:${light.text}}` +
  `@media (prefers-color-scheme:dark){.accent{fill:${dark.accent}}.ink{fill:${dark.text}}}`;

/** The Tessera mark as the pages' icon (four tiles). Static: no script, no external reference. */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<style>${ICON_STYLE}</style>
<rect class="accent" x="2" y="2" width="13" height="13" rx="3"/>
<rect class="ink" x="17" y="2" width="13" height="13" rx="3"/>
<rect class="ink" x="2" y="17" width="13" height="13" rx="3"/>
<rect class="accent" x="17" y="17" width="13" height="13" rx="3"/>
</svg>
`;
