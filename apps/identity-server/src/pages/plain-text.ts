/**
 * Messages come from the flow in the terse style of `error_description`
 * ("the application is unknown or not approved"); on a page they read as a
 * sentence: a capital first letter and a full stop.
 */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capitalised = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** A title starts with a capital letter (no full stop). */
export function asTitle(text: string): string {
  const trimmed = text.trim();
  return trimmed ? trimmed[0].toUpperCase() + trimmed.slice(1) : trimmed;
}
