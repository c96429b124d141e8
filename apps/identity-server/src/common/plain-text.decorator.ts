import { applyDecorators } from '@nestjs/common';
import { Matches } from 'class-validator';

/** Characters that reorder text: embeddings, overrides, isolates and marks (Unicode UAX #9). */
const BIDI_CONTROLS = '\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069';
/** C0 and C1 controls and DEL, but tab, line feed and carriage return. */
const CONTROLS_BUT_LINE_BREAKS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F';

const ONE_LINE = `[^\\p{Cc}\\p{Zl}\\p{Zp}${BIDI_CONTROLS}]*`;
const LINES = `[^${CONTROLS_BUT_LINE_BREAKS}${BIDI_CONTROLS}]*`;
/**
 * At least one visible character: not white space, not a format character
 * (zero-width space, joiners), not one of the letters that render blank
 * (Braille blank, the Hangul fillers).
 */
const NOT_BLANK = '(?=[^]*[^\\p{White_Space}\\p{Cf}\\u2800\\u3164\\u115F\\u1160\\uFFA0])';

/**
 * Text that people read (a client's name on the consent page, a reason in
 * the audit log): not blank, no control characters (a NUL, a terminal escape)
 * and no bidirectional overrides, which would show a name other than the one
 * stored. `lines` allows tab, line feed and carriage return; `empty` allows
 * the empty string (a description cleared), never white space alone.
 */
export const PlainText = (
  options: { lines?: boolean; empty?: boolean } = {},
): PropertyDecorator => {
  const text = `${NOT_BLANK}${options.lines ? LINES : ONE_LINE}`;
  return applyDecorators(
    Matches(new RegExp(options.empty ? `^(?:${text})?$` : `^${text}$`, 'u'), {
      message: `$property must be plain text: not blank, without control characters${
        options.lines ? ' (but line breaks and tabs)' : ''
      } or bidirectional overrides`,
    }),
  );
};
