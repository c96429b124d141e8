import { randomBytes } from 'node:crypto';
import { PrivateKeyCipher } from './private-key-cipher';

describe('PrivateKeyCipher', () => {
  const cipher = new PrivateKeyCipher(randomBytes(32));
  const secret = Buffer.from('-----BEGIN PRIVATE KEY----- not really');

  it('round-trips and never stores the plaintext', () => {
    const sealed = cipher.encrypt('kid-1', secret);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('PRIVATE');
    expect(cipher.decrypt('kid-1', sealed).equals(secret)).toBe(true);
  });

  it('refuses a ciphertext moved to another key id', () => {
    const sealed = cipher.encrypt('kid-1', secret);
    expect(() => cipher.decrypt('kid-2', sealed)).toThrow();
  });

  it('refuses a tampered ciphertext and a wrong key', () => {
    const sealed = cipher.encrypt('kid-1', secret);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => cipher.decrypt('kid-1', parts.join('.'))).toThrow();
    expect(() => new PrivateKeyCipher(randomBytes(32)).decrypt('kid-1', sealed)).toThrow();
  });
});
