import { KeyTimeline, publishedKeysAt, signingKeyAt } from './key-timeline';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);
const key = (kid: string, created: number, activates: number, revoked?: number): KeyTimeline => ({
  kid,
  createdAt: at(created),
  activatesAt: at(activates),
  revokedAt: revoked === undefined ? null : at(revoked),
});

describe('key timeline', () => {
  // k1 active from 0; k2 published at 1000, signs from 1600 (600 s lead).
  const keys = [key('k1', 0, 0), key('k2', 1000, 1600)];
  const retention = 960; // 900 s access tokens + 60 s skew

  it('publishes a new key before it signs', () => {
    expect(signingKeyAt(keys, at(1200))?.kid).toBe('k1');
    expect(publishedKeysAt(keys, at(1200), retention).map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(publishedKeysAt(keys, at(999), retention).map((k) => k.kid)).toEqual(['k1']);
  });

  it('switches signing at activation and keeps the old key until its tokens expire', () => {
    expect(signingKeyAt(keys, at(1600))?.kid).toBe('k2');
    expect(publishedKeysAt(keys, at(1600 + 959), retention).map((k) => k.kid)).toEqual([
      'k1',
      'k2',
    ]);
    expect(publishedKeysAt(keys, at(1600 + 960), retention).map((k) => k.kid)).toEqual(['k2']);
  });

  it('drops a revoked key at once, from signing and from the JWKS', () => {
    const pendingRevoked = [key('k1', 0, 0), key('k2', 10, 100, 20)];
    expect(signingKeyAt(pendingRevoked, at(200))?.kid).toBe('k1');
    expect(publishedKeysAt(pendingRevoked, at(200), retention).map((k) => k.kid)).toEqual(['k1']);
  });

  it('never lets a retired key sign again when its successor is revoked', () => {
    // k1 retired at 10 when k2 activated; k2 is revoked at 5000, long after k1's tokens expired.
    const keys = [key('k1', 0, 0), key('k2', 10, 10, 5000)];
    expect(signingKeyAt(keys, at(5001))).toBeUndefined();
    expect(publishedKeysAt(keys, at(5001), retention)).toEqual([]);
    // The replacement the key ring creates at once takes over.
    const replaced = [...keys, key('k3', 5000, 5000)];
    expect(signingKeyAt(replaced, at(5001))?.kid).toBe('k3');
    expect(publishedKeysAt(replaced, at(5001), retention).map((k) => k.kid)).toEqual(['k3']);
  });

  it('agrees on one signer when two keys activate at the same instant', () => {
    const tie = [key('b', 0, 0), key('a', 0, 0)];
    expect(signingKeyAt(tie, at(1))?.kid).toBe('b');
    expect(signingKeyAt([...tie].reverse(), at(1))?.kid).toBe('b');
  });

  it('has no signing key before the first activation', () => {
    expect(signingKeyAt([key('k', 0, 100)], at(50))).toBeUndefined();
  });
});
