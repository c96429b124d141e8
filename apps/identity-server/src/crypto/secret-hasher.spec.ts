import { constantTimeEqualHex, randomSecret, SecretHasher } from './secret-hasher';

describe('SecretHasher', () => {
  const hasher = new SecretHasher(Buffer.alloc(32, 7));

  it('matches the secret it hashed and nothing else', () => {
    const secret = randomSecret();
    const stored = hasher.hash(secret);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(hasher.matches(secret, stored)).toBe(true);
    expect(hasher.matches(`${secret}x`, stored)).toBe(false);
  });

  it('depends on the key, so a stolen table cannot be checked offline without it', () => {
    const other = new SecretHasher(Buffer.alloc(32, 8));
    expect(other.hash('s')).not.toEqual(hasher.hash('s'));
  });

  it('treats malformed or empty stored hashes as no match', () => {
    expect(constantTimeEqualHex('abcd', 'ab')).toBe(false);
    expect(constantTimeEqualHex('', '')).toBe(false);
  });

  it('makes secrets of at least 256 bits', () => {
    expect(Buffer.from(randomSecret(), 'base64url').length).toBe(32);
  });
});
