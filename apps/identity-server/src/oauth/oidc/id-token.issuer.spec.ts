import { decodeProtectedHeader, jwtVerify } from 'jose';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { AccountDetails } from '../../accounts/account.types';
import { AccountsService } from '../../accounts/accounts.service';
import { AppConfig, loadConfig } from '../../config/app-config';
import { KeyRingService } from '../../keys/key-ring.service';
import { JwtSigner } from '../../keys/jwt-signer';
import { accessTokenHash } from './at-hash';
import { IdTokenInput, IdTokenIssuer } from './id-token.issuer';
import { testClient, testUser } from '../principals.testing';

const config: AppConfig = loadConfig({
  NODE_ENV: 'test',
  ISSUER_URL: 'https://id.example.test',
  ACCESS_TOKEN_TTL_SECONDS: '600',
});

const client = testClient({
  grantTypes: ['authorization_code'],
  scopes: ['openid', 'profile', 'email'],
  redirectUris: ['https://app.example.test/callback'],
});

const user = testUser({
  id: '6f1c2d9e-0000-4000-8000-000000000001',
  email: 'ada@example.test',
});

const updatedAt = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

describe('IdTokenIssuer', () => {
  let publicKey: KeyObject;
  let issuer: IdTokenIssuer;
  const lookups: string[] = [];

  beforeAll(() => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicKey = pair.publicKey;
    const ring = {
      signingKey: async () => ({ kid: 'kid-1', algorithm: 'RS256', privateKey: pair.privateKey }),
    } as unknown as KeyRingService;
    const accounts = {
      findAccount: async (id: string) => {
        lookups.push(id);
        return { ...user, updatedAt } as AccountDetails;
      },
    } as unknown as AccountsService;
    issuer = new IdTokenIssuer(ring, new JwtSigner(ring), accounts, config);
  });
  beforeEach(() => {
    lookups.length = 0;
  });

  const input = (overrides: Partial<IdTokenInput> = {}): IdTokenInput => ({
    client,
    user,
    scope: 'openid',
    authTime: new Date(Date.UTC(2026, 0, 1, 12, 0, 0)),
    accessToken: 'the-access-token',
    ...overrides,
  });

  const verify = async (token: string) =>
    (await jwtVerify(token, publicKey, { issuer: config.issuer, audience: 'web-app' })).payload;

  it('signs a JWT (typ JWT, the key’s kid and alg) with the claims of Core §2', async () => {
    const token = await issuer.issue(input({ nonce: 'n-0S6_WzA2Mj' }));
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: 'kid-1', typ: 'JWT' });
    const claims = await verify(token);
    expect(claims).toEqual({
      iss: 'https://id.example.test',
      sub: user.id,
      aud: 'web-app',
      azp: 'web-app',
      iat: expect.any(Number),
      exp: (claims.iat as number) + 600,
      auth_time: Math.floor(Date.UTC(2026, 0, 1, 12, 0, 0) / 1000),
      amr: ['pwd'],
      nonce: 'n-0S6_WzA2Mj',
      at_hash: accessTokenHash('the-access-token', 'RS256'),
    });
    // openid alone releases no user claims, so the account is not read again.
    expect(lookups).toEqual([]);
  });

  it('has no nonce claim when the request had none', async () => {
    const claims = await verify(await issuer.issue(input()));
    expect(claims).not.toHaveProperty('nonce');
    expect(claims.at_hash).toBe(accessTokenHash('the-access-token', 'RS256'));
  });

  it('adds the claims of profile and email', async () => {
    const claims = await verify(await issuer.issue(input({ scope: 'openid profile email' })));
    expect(claims).toMatchObject({
      preferred_username: 'ada',
      updated_at: Math.floor(updatedAt.getTime() / 1000),
      email: 'ada@example.test',
      email_verified: false,
    });
    expect(lookups).toEqual([user.id]);
  });

  it('adds email claims without profile ones for the email scope alone', async () => {
    const claims = await verify(await issuer.issue(input({ scope: 'openid email' })));
    expect(claims.email).toBe('ada@example.test');
    expect(claims).not.toHaveProperty('preferred_username');
    expect(claims).not.toHaveProperty('updated_at');
  });

  it('signs with the very key whose algorithm computed at_hash, even if the key rotates meanwhile', async () => {
    const first = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const second = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keys = [
      { kid: 'before', algorithm: 'RS256', privateKey: first.privateKey },
      { kid: 'after', algorithm: 'ES256', privateKey: second.privateKey },
    ];
    let calls = 0;
    // A rotation between two reads of the ring: each read sees the next key.
    const rotating = {
      signingKey: async () => keys[Math.min(calls++, keys.length - 1)],
    } as unknown as KeyRingService;
    const accounts = {
      findAccount: async () => ({ ...user, updatedAt }),
    } as unknown as AccountsService;
    const racing = new IdTokenIssuer(rotating, new JwtSigner(rotating), accounts, config);
    const token = await racing.issue(input({ scope: 'openid profile' }));
    expect(decodeProtectedHeader(token)).toMatchObject({ kid: 'before', alg: 'RS256' });
    const { payload } = await jwtVerify(token, first.publicKey, { issuer: config.issuer });
    expect(payload.at_hash).toBe(accessTokenHash('the-access-token', 'RS256'));
  });
});
