import { Controller, Get, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SignJWT } from 'jose';
import { createPublicKey, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { AccessTokenStrategy } from '../access-token.strategy';
import { AuthGuardModule } from '../auth-guard.module';
import { AuthGuardModuleOptions, KeyLookup } from '../auth-guard.options';
import { CurrentPrincipal } from '../decorators/current-principal.decorator';
import { RequireActiveToken } from '../decorators/require-active-token.decorator';
import { RequireScopes } from '../decorators/requirements.decorator';
import { VERIFIED_TOKEN_CACHE } from '../guards/access-token.guard';
import { Principal, principalFromClaims } from '../principal';
import { VerifiedTokenCache } from './verified-token.cache';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'orders-api';
const KID = 'cache-key-1';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const LOOKUP: KeyLookup = { kid: KID, alg: 'RS256' };
const nowSeconds = () => Math.floor(Date.now() / 1000);

function principalExpiringAt(exp: number): Principal {
  return principalFromClaims({
    iss: ISSUER,
    sub: 'user-1',
    aud: AUDIENCE,
    iat: exp - 300,
    exp,
    jti: randomUUID(),
    client_id: 'app-1',
    scope: 'read',
    roles: ['developer'],
  });
}

describe('VerifiedTokenCache', () => {
  const T0 = 1_800_000_000_000;
  let clock = T0;
  const cacheOf = (maxEntries = 10) => VerifiedTokenCache.forPrincipals(maxEntries, () => clock);
  const sameKey = async () => rsa.publicKey;
  beforeEach(() => {
    clock = T0;
  });

  it('returns the very principal it was given for the same token', async () => {
    const cache = cacheOf();
    const principal = principalExpiringAt(T0 / 1000 + 60);
    cache.remember('a.b.c', principal, rsa.publicKey, LOOKUP);
    await expect(cache.find('a.b.c', sameKey)).resolves.toBe(principal);
    // Shared between requests, so nobody may widen it.
    expect(Object.isFrozen(principal) && Object.isFrozen(principal.roles)).toBe(true);
    expect([principal.scopes, principal.permissions, principal.claims].every(Object.isFrozen)).toBe(
      true,
    );
  });

  it('misses a token that differs by one byte', async () => {
    const cache = cacheOf();
    cache.remember(
      'header.payload.sig0',
      principalExpiringAt(T0 / 1000 + 60),
      rsa.publicKey,
      LOOKUP,
    );
    await expect(cache.find('header.payload.sig1', sameKey)).resolves.toBeUndefined();
    await expect(cache.find('header.payload.sig', sameKey)).resolves.toBeUndefined();
    await expect(cache.find('header.payload.sig0 ', sameKey)).resolves.toBeUndefined();
  });

  it('serves an entry until exp and never at or after it', async () => {
    const cache = cacheOf();
    const exp = T0 / 1000 + 60;
    cache.remember('t', principalExpiringAt(exp), rsa.publicKey, LOOKUP);
    clock = exp * 1000 - 1;
    await expect(cache.find('t', sameKey)).resolves.toBeDefined();
    clock = exp * 1000;
    await expect(cache.find('t', sameKey)).resolves.toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not store a token already at or past exp (accepted only within the clock tolerance)', () => {
    const cache = cacheOf();
    cache.remember('t', principalExpiringAt(T0 / 1000 - 5), rsa.publicKey, LOOKUP);
    cache.remember('u', principalExpiringAt(T0 / 1000), rsa.publicKey, LOOKUP);
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const cache = cacheOf(2);
    const exp = T0 / 1000 + 60;
    cache.remember('one', principalExpiringAt(exp), rsa.publicKey, LOOKUP);
    cache.remember('two', principalExpiringAt(exp), rsa.publicKey, LOOKUP);
    // Using "one" makes "two" the oldest.
    await expect(cache.find('one', sameKey)).resolves.toBeDefined();
    cache.remember('three', principalExpiringAt(exp), rsa.publicKey, LOOKUP);
    expect(cache.size).toBe(2);
    await expect(cache.find('two', sameKey)).resolves.toBeUndefined();
    await expect(cache.find('one', sameKey)).resolves.toBeDefined();
    await expect(cache.find('three', sameKey)).resolves.toBeDefined();
  });

  it('empties itself when the resolver no longer gives the key an entry was verified with', async () => {
    const exp = T0 / 1000 + 60;
    for (const resolver of [async () => undefined, async () => other.publicKey]) {
      const cache = cacheOf();
      cache.remember('t', principalExpiringAt(exp), rsa.publicKey, LOOKUP);
      cache.remember('u', principalExpiringAt(exp), rsa.publicKey, LOOKUP);
      await expect(cache.find('t', resolver)).resolves.toBeUndefined();
      expect(cache.size).toBe(0);
    }
  });

  it('asks the resolver with the lookup of the verification, and treats its failure as a miss', async () => {
    const cache = cacheOf();
    cache.remember('t', principalExpiringAt(T0 / 1000 + 60), rsa.publicKey, LOOKUP);
    const seen: KeyLookup[] = [];
    await cache.find('t', async (lookup) => {
      seen.push(lookup);
      return rsa.publicKey;
    });
    expect(seen).toEqual([LOOKUP]);
    const failing = async (): Promise<KeyObject> => {
      throw new Error('signing keys unavailable');
    };
    await expect(cache.find('t', failing)).resolves.toBeUndefined();
    // A refetched JWKS imports new KeyObjects: the same key material still matches.
    const reimported = createPublicKey({
      key: rsa.publicKey.export({ format: 'jwk' }),
      format: 'jwk',
    });
    expect(reimported).not.toBe(rsa.publicKey);
    await expect(cache.find('t', async () => reimported)).resolves.toBeDefined();
  });

  it('refuses a bound that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => cacheOf(bad)).toThrow(/maxEntries/);
  });
});

@Controller()
class CacheController {
  @Get('me')
  me(@CurrentPrincipal() principal: Principal): { jti: string } {
    return { jti: principal.tokenId };
  }

  @Get('admin')
  @RequireScopes('admin')
  admin(): { ok: true } {
    return { ok: true };
  }

  @Get('sensitive')
  @RequireActiveToken()
  sensitive(): { ok: true } {
    return { ok: true };
  }
}

describe('the verified-token cache in the guard', () => {
  /** The JWKS stand-in; tests remove the key as a revocation would. */
  let published: KeyObject | undefined;
  let app: INestApplication;
  let verifications: jest.SpyInstance;

  const sign = (claims: Record<string, unknown> = {}, key = rsa.privateKey) =>
    new SignJWT({
      iss: ISSUER,
      aud: AUDIENCE,
      iat: nowSeconds(),
      sub: 'user-1',
      client_id: 'app-1',
      jti: randomUUID(),
      scope: 'read',
      exp: nowSeconds() + 300,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'at+jwt' })
      .sign(key);
  const get = (path: string, token: string, on = app) =>
    request(on.getHttpServer() as App)
      .get(path)
      .set('Authorization', `Bearer ${token}`);

  async function build(options: Partial<AuthGuardModuleOptions> = {}): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthGuardModule.forRoot({
          issuer: ISSUER,
          audience: AUDIENCE,
          keyResolver: async ({ kid }) => (kid === KID ? published : undefined),
          introspection: { introspector: { isActive: async () => true } },
          ...options,
        }),
      ],
      controllers: [CacheController],
    }).compile();
    const built = moduleRef.createNestApplication({ logger: false });
    await built.init();
    return built;
  }
  const cacheOf = (on: INestApplication) =>
    on.get<VerifiedTokenCache<Principal>>(VERIFIED_TOKEN_CACHE);

  beforeAll(async () => {
    app = await build();
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    published = rsa.publicKey;
    cacheOf(app).clear();
    // Each full verification ends in the strategy's validate().
    verifications = jest.spyOn(AccessTokenStrategy.prototype, 'validate');
  });
  afterEach(() => verifications.mockRestore());

  it('verifies a token once, then serves the same principal from the cache', async () => {
    const token = await sign();
    const first = await get('/me', token);
    const second = await get('/me', token);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual(first.body);
    expect(verifications).toHaveBeenCalledTimes(1);
    expect(cacheOf(app).size).toBe(1);
  });

  it('still applies the route requirements on a hit', async () => {
    const token = await sign();
    expect((await get('/me', token)).status).toBe(200);
    expect((await get('/admin', token)).status).toBe(403);
    expect(verifications).toHaveBeenCalledTimes(1);
  });

  it('never caches a failed verification: a forged token is checked, and refused, every time', async () => {
    const forged = await sign({}, other.privateKey);
    const wrongAudience = await sign({ aud: 'other-api' });
    for (const token of [forged, forged, wrongAudience, wrongAudience]) {
      expect((await get('/me', token)).status).toBe(401);
    }
    expect(cacheOf(app).size).toBe(0);
  });

  it('misses for a token one byte away from a cached one', async () => {
    const token = await sign();
    expect((await get('/me', token)).status).toBe(200);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The character whose 6 bits differ from this one's in the lowest bit only.
    const flip = (at: number) =>
      `${token.slice(0, at)}${alphabet[alphabet.indexOf(token[at]) ^ 1]}${token.slice(at + 1)}`;
    // A changed signature byte: verified again, and refused.
    expect((await get('/me', flip(token.length - 20))).status).toBe(401);
    expect(verifications).toHaveBeenCalledTimes(1);
    // The last character of a 256-byte RS256 signature holds 4 unused bits: flipping
    // them leaves the signature valid, yet the bytes differ, so it is verified again.
    expect((await get('/me', flip(token.length - 1))).status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(2);
  });

  it('refuses a cached token at once when its key is revoked, and empties the cache', async () => {
    const token = await sign();
    expect((await get('/me', token)).status).toBe(200);
    published = undefined;
    expect((await get('/me', token)).status).toBe(401);
    expect(cacheOf(app).size).toBe(0);
  });

  it('is bypassed on @RequireActiveToken() routes (the online check)', async () => {
    const token = await sign();
    expect((await get('/sensitive', token)).status).toBe(200);
    expect((await get('/sensitive', token)).status).toBe(200);
    expect(verifications).toHaveBeenCalledTimes(2);
    expect(cacheOf(app).size).toBe(0);
  });

  it('is off with verifiedTokenCache: false, and bounded by maxEntries', async () => {
    const off = await build({ verifiedTokenCache: false });
    const small = await build({ verifiedTokenCache: { maxEntries: 1 } });
    try {
      expect(off.get(VERIFIED_TOKEN_CACHE)).toBeUndefined();
      const token = await sign();
      expect((await get('/me', token, off)).status).toBe(200);
      expect((await get('/me', token, off)).status).toBe(200);
      expect(verifications).toHaveBeenCalledTimes(2);

      expect((await get('/me', token, small)).status).toBe(200);
      expect((await get('/me', await sign(), small)).status).toBe(200);
      expect(cacheOf(small).size).toBe(1);
    } finally {
      await off.close();
      await small.close();
    }
  });
});
