import { asSentence, asTitle } from './plain-text';

describe('plain text on pages', () => {
  it.each([
    ['the application is unknown or not approved', 'The application is unknown or not approved.'],
    ['Already a sentence.', 'Already a sentence.'],
    ['  is this right?  ', 'Is this right?'],
    ['<script> stays text', '<script> stays text.'],
    ['', ''],
  ])('asSentence(%j) is %j', (input, output) => expect(asSentence(input)).toBe(output));

  it('capitalises a title without adding a full stop', () => {
    expect(asTitle('sign-in cannot continue')).toBe('Sign-in cannot continue');
    expect(asTitle('')).toBe('');
  });
});
