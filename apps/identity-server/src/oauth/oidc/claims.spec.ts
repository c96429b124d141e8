import { claimsForScope, hasScope } from './claims';

describe('claimsForScope (Core 1.0 §5.4)', () => {
  const updatedAt = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
  const account = { username: 'ada', email: 'ada@example.test', updatedAt };

  it('releases nothing for openid alone or for resource scopes', () => {
    expect(claimsForScope('openid orders:read', account)).toEqual({});
  });

  it('profile: preferred_username and updated_at in seconds', () => {
    expect(claimsForScope('openid profile', account)).toEqual({
      preferred_username: 'ada',
      updated_at: Math.floor(updatedAt.getTime() / 1000),
    });
  });

  it('email: the address, never claimed as verified', () => {
    expect(claimsForScope('openid email', account)).toEqual({
      email: 'ada@example.test',
      email_verified: false,
    });
  });

  it('omits email claims when the account has no address', () => {
    expect(claimsForScope('openid profile email', { ...account, email: null })).toEqual({
      preferred_username: 'ada',
      updated_at: Math.floor(updatedAt.getTime() / 1000),
    });
  });

  it('matches scope tokens exactly (no prefix or case folding)', () => {
    expect(claimsForScope('openid profiles Email', account)).toEqual({});
  });
});

describe('hasScope', () => {
  it('finds a scope token exactly, whatever the spacing', () => {
    expect(hasScope('orders:read  openid', 'openid')).toBe(true);
    expect(hasScope('openidx profile', 'openid')).toBe(false);
    expect(hasScope(undefined, 'openid')).toBe(false);
  });
});
