/** The Tessera mark as the pages' icon (four tiles, the colours of the stylesheet). Static: no script, no external reference. */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect x="2" y="2" width="13" height="13" rx="3" fill="#2346c8"/>
<rect x="17" y="2" width="13" height="13" rx="3" fill="#1b2130"/>
<rect x="2" y="17" width="13" height="13" rx="3" fill="#1b2130"/>
<rect x="17" y="17" width="13" height="13" rx="3" fill="#2346c8"/>
</svg>
`;
