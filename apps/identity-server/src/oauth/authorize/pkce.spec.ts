import { isWellFormedPkceValue, isWellFormedS256Challenge, s256Challenge } from './pkce';

describe('PKCE S256 (RFC 7636)', () => {
  // RFC 7636 Appendix B.
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

  it('computes the challenge of the RFC example', () => {
    expect(s256Challenge(verifier)).toBe(challenge);
  });

  it('gives another verifier, or the challenge itself sent as verifier (plain), another challenge', () => {
    expect(s256Challenge(`${verifier.slice(0, -1)}Y`)).not.toBe(challenge);
    expect(s256Challenge(challenge)).not.toBe(challenge);
  });

  it('accepts 43 to 128 unreserved characters only', () => {
    expect(isWellFormedPkceValue('a'.repeat(43))).toBe(true);
    expect(isWellFormedPkceValue('a'.repeat(128))).toBe(true);
    expect(isWellFormedPkceValue('a'.repeat(42))).toBe(false);
    expect(isWellFormedPkceValue('a'.repeat(129))).toBe(false);
    expect(isWellFormedPkceValue(`${'a'.repeat(42)}+`)).toBe(false);
    expect(isWellFormedPkceValue(`${'a'.repeat(42)}=`)).toBe(false);
  });

  it('takes as an S256 challenge only what a SHA-256 digest encodes to: 43 base64url characters', () => {
    expect(isWellFormedS256Challenge(challenge)).toBe(true);
    expect(isWellFormedS256Challenge(s256Challenge('x'.repeat(128)))).toBe(true);
    expect(isWellFormedS256Challenge(challenge.slice(0, 42))).toBe(false);
    expect(isWellFormedS256Challenge(`${challenge}A`)).toBe(false);
    expect(isWellFormedS256Challenge(`${challenge.slice(0, 42)}.`)).toBe(false);
    expect(isWellFormedS256Challenge(`${challenge.slice(0, 42)}~`)).toBe(false);
    expect(isWellFormedS256Challenge(`${challenge}=`)).toBe(false);
    // The last character carries 4 bits and 2 zero bits: `B` encodes a set padding bit.
    expect(isWellFormedS256Challenge(`${challenge.slice(0, 42)}B`)).toBe(false);
    for (let i = 0; i < 64; i++)
      expect(isWellFormedS256Challenge(s256Challenge(`verifier-${i}`.padEnd(43, 'x')))).toBe(true);
  });
});
