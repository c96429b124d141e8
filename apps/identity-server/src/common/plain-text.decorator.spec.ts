import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PlainText } from './plain-text.decorator';

class OneLine {
  @PlainText()
  value!: string;
}

class Lines {
  @PlainText({ lines: true, empty: true })
  value!: string;
}

const accepts = (type: new () => object, value: string) =>
  validateSync(plainToInstance(type, { value })).length === 0;

describe('PlainText', () => {
  it.each(['Billing dashboard', 'Café Müller', 'מערכת חיובים', '账单 📈', 'a\u200db'])(
    'accepts %j',
    (value) => expect(accepts(OneLine, value)).toBe(true),
  );

  it.each([
    ['blank', ''],
    ['white space alone', ' \u00a0 '],
    ['a NUL', 'a\u0000b'],
    ['a terminal escape', 'a\u001b[31mred'],
    ['a line feed', 'a\nb'],
    ['a C1 control', 'a\u0085b'],
    ['DEL', 'a\u007f'],
    ['a right-to-left override', '\u202eppa.exe'],
    ['an isolate', 'a\u2067b\u2069'],
    ['a right-to-left mark', 'a\u200fb'],
    ['an Arabic letter mark', 'a\u061cb'],
    ['a line separator', 'a\u2028b'],
    ['zero-width spaces alone', '\u200b\u200b'],
    ['a Hangul filler alone', '\u3164'],
    ['a Braille blank alone', '\u2800 \u2800'],
  ])('refuses %s on one line', (_what, value) => expect(accepts(OneLine, value)).toBe(false));

  it('allows line breaks and tabs, and the empty string, when asked', () => {
    expect(accepts(Lines, 'first line\r\n\tsecond')).toBe(true);
    expect(accepts(Lines, '')).toBe(true);
    expect(accepts(Lines, ' \n ')).toBe(false);
    expect(accepts(Lines, 'a\u0000')).toBe(false);
    expect(accepts(Lines, 'a\u202db')).toBe(false);
  });
});
