import { OAuthError } from '../errors/oauth.error';
import { grantScope } from './scope-policy';

describe('grantScope', () => {
  const allowed = ['orders:read', 'orders:write'];

  it('grants the default when no scope is requested', () => {
    expect(grantScope(undefined, allowed)).toBe('orders:read orders:write');
  });

  it('grants a subset as requested, without duplicates', () => {
    expect(grantScope('orders:read  orders:read', allowed)).toBe('orders:read');
  });

  it.each(['admin', 'orders:read admin', 'orders:read "x"', '   '])(
    'refuses %p with invalid_scope',
    (requested) => {
      expect(() => grantScope(requested, allowed)).toThrow(OAuthError);
      try {
        grantScope(requested, allowed);
      } catch (error) {
        expect((error as OAuthError).code).toBe('invalid_scope');
      }
    },
  );
});
