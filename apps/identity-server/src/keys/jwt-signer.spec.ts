import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { JwtSigner, SigningKey } from './jwt-signer';
import { KeyRingService } from './key-ring.service';

const ISSUER = 'https://issuer.example';
const TYP = 'at+jwt';

/** A ring with one RS256 key that can be withdrawn, as revocation or retirement does. */
function ringWithOneKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const state = { published: true as boolean };
  const ring = {
    publicKey: ({ kid, alg }: { kid?: string; alg: string }): Promise<KeyObject | undefined> =>
      Promise.resolve(state.published && kid === 'k1' && alg === 'RS256' ? publicKey : undefined),
  } as unknown as KeyRingService;
  const sign = (exp: number) =>
    new SignJWT({ sub: 'alice', iss: ISSUER, exp })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: TYP })
      .sign(privateKey);
  return { ring, state, sign };
}

describe('JwtSigner.verify, remembering verified tokens', () => {
  const now = () => Math.floor(Date.now() / 1000);
  afterEach(() => jest.useRealTimers());

  it('answers a token verified before from memory (the same frozen claims)', async () => {
    const { ring, sign } = ringWithOneKey();
    const signer = new JwtSigner(ring);
    const token = await sign(now() + 60);
    const first = await signer.verify(token, { typ: TYP, issuer: ISSUER });
    const second = await signer.verify(token, { typ: TYP, issuer: ISSUER });
    expect(second).toBe(first);
    expect(Object.isFrozen(second)).toBe(true);
  });

  it('does not outlive the key that verified it', async () => {
    const { ring, state, sign } = ringWithOneKey();
    const signer = new JwtSigner(ring);
    const token = await sign(now() + 60);
    await signer.verify(token, { typ: TYP, issuer: ISSUER });
    state.published = false;
    await expect(signer.verify(token, { typ: TYP, issuer: ISSUER })).rejects.toThrow();
  });

  it('does not outlive the token: refused from its exp on', async () => {
    const { ring, sign } = ringWithOneKey();
    const signer = new JwtSigner(ring);
    const exp = now() + 5;
    const token = await sign(exp);
    await signer.verify(token, { typ: TYP, issuer: ISSUER });
    // Only the clock moves (jose reads `new Date()`, the memory `Date.now()`).
    jest.useFakeTimers({
      now: exp * 1000,
      doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'],
    });
    await expect(signer.verify(token, { typ: TYP, issuer: ISSUER })).rejects.toThrow(/exp/);
  });

  it('remembers a token per expectation: a typ it did not meet is still refused', async () => {
    const { ring, sign } = ringWithOneKey();
    const signer = new JwtSigner(ring);
    const token = await sign(now() + 60);
    await signer.verify(token, { typ: TYP, issuer: ISSUER });
    await expect(signer.verify(token, { typ: 'JWT', issuer: ISSUER })).rejects.toThrow();
    await expect(signer.verify(token, { typ: TYP, issuer: 'https://other' })).rejects.toThrow();
  });
});

describe('JwtSigner.sign, a compact JWS of the claims', () => {
  const signer = new JwtSigner({} as KeyRingService);
  const claims = {
    iss: ISSUER,
    sub: 'client-1',
    aud: 'api',
    exp: 2_000_000_000,
    scope: 'a b',
    jti: 'é-ü',
  };

  for (const [algorithm, pair] of [
    ['RS256', generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ] as const) {
    it(`signs with ${algorithm} what jose verifies, header and claims as given`, async () => {
      const key = { kid: `kid-${algorithm}`, algorithm, privateKey: pair.privateKey };
      const token = await signer.sign(claims, TYP, key);
      const { payload, protectedHeader } = await jwtVerify(token, pair.publicKey, {
        algorithms: [algorithm],
        typ: TYP,
        issuer: ISSUER,
      });
      expect(protectedHeader).toEqual({ alg: algorithm, kid: key.kid, typ: TYP });
      expect(payload).toEqual(claims);
      // Another type, same key: its own header.
      const idToken = await signer.sign(claims, 'JWT', key);
      expect(decodeProtectedHeader(idToken)).toEqual({ alg: algorithm, kid: key.kid, typ: 'JWT' });
      await expect(compactVerify(idToken, pair.publicKey)).resolves.toBeDefined();
    });
  }

  it('writes ES256 signatures as R || S (64 bytes, RFC 7518 §3.4), not DER', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = await signer.sign(claims, TYP, { kid: 'e', algorithm: 'ES256', privateKey });
    expect(Buffer.from(token.split('.')[2], 'base64url')).toHaveLength(64);
  });

  it('refuses a key its algorithm cannot use, as jose did: no token is made', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    for (const [algorithm, privateKey] of [
      ['RS256', ec.privateKey],
      ['ES256', rsa.privateKey],
      ['ES256', p384.privateKey],
      ['RS256', small.privateKey],
      ['RS256', rsa.publicKey],
      ['RS512', rsa.privateKey],
    ] as const) {
      const key = { kid: `bad-${algorithm}`, algorithm, privateKey } as unknown as SigningKey;
      await expect(signer.sign(claims, TYP, key)).rejects.toThrow(/cannot sign/);
    }
  });

  it('signs a new key with its own kid (the header memory is per key)', async () => {
    const first = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const second = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const a = await signer.sign(claims, TYP, {
      kid: 'first',
      algorithm: 'RS256',
      privateKey: first.privateKey,
    });
    const b = await signer.sign(claims, TYP, {
      kid: 'second',
      algorithm: 'RS256',
      privateKey: second.privateKey,
    });
    expect(decodeProtectedHeader(a).kid).toBe('first');
    expect(decodeProtectedHeader(b).kid).toBe('second');
    await expect(compactVerify(b, second.publicKey)).resolves.toBeDefined();
    await expect(compactVerify(b, first.publicKey)).rejects.toThrow();
  });
});
