import { AppConfig } from '../config/app-config';
import { KeyMaterial } from '../crypto/key-material';
import { CsrfTokens } from './csrf-tokens';

describe('CsrfTokens', () => {
  const keys = new KeyMaterial({
    keys: { encryptionKey: Buffer.alloc(32, 7).toString('base64'), encryptionKeyFile: '' },
  } as unknown as AppConfig);
  const csrf = new CsrfTokens(keys);

  it('verifies a token for the same purpose and binding only', () => {
    const token = csrf.issue('interaction', 'uid-1', 'cookie-1');
    expect(csrf.verify(token, 'interaction', 'uid-1', 'cookie-1')).toBe(true);
    expect(csrf.verify(token, 'logout', 'uid-1', 'cookie-1')).toBe(false);
    expect(csrf.verify(token, 'interaction', 'uid-2', 'cookie-1')).toBe(false);
    expect(csrf.verify(token, 'interaction', 'uid-1', 'cookie-2')).toBe(false);
  });

  it('refuses absent, empty, truncated and non-string tokens', () => {
    const token = csrf.issue('logout', 'session');
    for (const presented of [undefined, '', token.slice(0, -1), `${token}x`, ['a'], 42])
      expect(csrf.verify(presented, 'logout', 'session')).toBe(false);
  });

  it('does not let parts slide across the separator', () => {
    expect(csrf.issue('logout', 'a', 'bc')).not.toBe(csrf.issue('logout', 'ab', 'c'));
  });
});
