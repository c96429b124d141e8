import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { JwtSigner } from './jwt-signer';
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
