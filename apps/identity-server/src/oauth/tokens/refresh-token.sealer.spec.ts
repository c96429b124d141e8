import { RefreshGrant, RefreshTokenSealer } from './refresh-token.sealer';

describe('RefreshTokenSealer', () => {
  const sealer = new RefreshTokenSealer(Buffer.alloc(32, 3));
  const grant: RefreshGrant = {
    familyId: '0b9c1f7e-3c1a-4f5e-9d41-2a7f0c3e5b10',
    clientRef: '7d2e4a10-6b8f-4c3d-a1e2-9f0b8c7d6e5f',
    userId: 'c4f1e2d3-b5a6-4978-8a9b-0c1d2e3f4a5b',
    scope: 'orders:read orders:write openid',
    authTime: new Date('2026-11-29T21:40:12.345Z'),
  };

  it('opens what it sealed, to the same grant', () => {
    expect(sealer.open(sealer.seal(grant))).toEqual(grant);
  });

  it("carries an OpenID grant's mark and nonce, and a grant without either opens without them", () => {
    const withNonce = { ...grant, oidc: { nonce: 'n-0S6_WzA2Mj' } };
    const withoutNonce = { ...grant, oidc: {} };
    expect(sealer.open(sealer.seal(withNonce))).toEqual(withNonce);
    expect(sealer.open(sealer.seal(withoutNonce))).toEqual(withoutNonce);
    const plain = sealer.open(sealer.seal(grant));
    expect(plain).toEqual(grant);
    expect(plain).not.toHaveProperty('oidc');
  });

  it('seals the same grant into a different token each time', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => sealer.seal(grant)));
    expect(tokens.size).toBe(50);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      // version, nonce, at least the JSON's brackets, tag
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThan(1 + 16 + 2 + 16);
    }
  });

  it('hides the grant from whoever holds the token', () => {
    const decoded = Buffer.from(sealer.seal(grant), 'base64url').toString('latin1');
    for (const value of [grant.familyId, grant.clientRef, grant.userId, 'orders:read'])
      expect(decoded).not.toContain(value);
  });

  it('refuses a token sealed under another key', () => {
    const other = new RefreshTokenSealer(Buffer.alloc(32, 4));
    expect(other.open(sealer.seal(grant))).toBeNull();
  });

  it('refuses any altered byte', () => {
    const raw = Buffer.from(sealer.seal(grant), 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const altered = Buffer.from(raw);
      altered[i] ^= 0x01;
      expect(sealer.open(altered.toString('base64url'))).toBeNull();
    }
  });

  it('refuses truncated, extended and malformed tokens', () => {
    const token = sealer.seal(grant);
    expect(sealer.open(token.slice(0, -1))).toBeNull();
    expect(sealer.open(token.slice(0, 30))).toBeNull();
    expect(sealer.open(`${token}A`)).toBeNull();
    expect(sealer.open(`${token}=`)).toBeNull();
    expect(sealer.open(`+${token.slice(1)}`)).toBeNull();
    expect(sealer.open('')).toBeNull();
    expect(sealer.open('not a token')).toBeNull();
    expect(sealer.open('x'.repeat(9000))).toBeNull();
  });

  it('refuses a second spelling of a token (spare bits set in its last character)', () => {
    // Pick a scope that leaves spare bits: the sealed length must not be a multiple of 3.
    let token = sealer.seal(grant);
    for (let extra = 'x'; Buffer.from(token, 'base64url').length % 3 === 0; extra += 'x')
      token = sealer.seal({ ...grant, scope: `${grant.scope} ${extra}` });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token[token.length - 1]);
    const sibling = token.slice(0, -1) + alphabet[last + 1];
    expect(Buffer.from(sibling, 'base64url')).toEqual(Buffer.from(token, 'base64url'));
    expect(sealer.open(token)).not.toBeNull();
    expect(sealer.open(sibling)).toBeNull();
  });

  it('refuses to seal a token that it could not open again', () => {
    expect(() => sealer.seal({ ...grant, scope: 's'.repeat(7000) })).toThrow(/over 8192/);
  });

  it('refuses a wrong-sized key', () => {
    expect(() => new RefreshTokenSealer(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
