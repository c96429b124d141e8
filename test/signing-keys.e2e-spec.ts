import { createLocalJWKSet, JSONWebKeySet, JWK, jwtVerify } from 'jose';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { KeyMaterial } from '../apps/identity-server/src/crypto/key-material';
import { KeyRingService } from '../apps/identity-server/src/keys/key-ring.service';
import { PrivateKeyCipher } from '../apps/identity-server/src/keys/private-key-cipher';
import { SigningKeyEntity } from '../apps/identity-server/src/keys/signing-key.entity';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { introspect } from './support/fixtures';
import { decodeJwt, getJson, tokenRequest } from './support/http';
import { ADMIN, CONSOLE, startServer, TestServer } from './support/test-server';

/**
 * Every server of this file runs as one cluster: one database, one issuer (as
 * behind a load balancer, so that a token from one process is valid at the
 * other and survives a restart on a new port), the shortest access-token
 * lifetime, and a rotation lead and reload interval short enough to watch.
 */
const CLUSTER_ENV = {
  ISSUER_URL: 'http://tessera.test',
  ACCESS_TOKEN_TTL_SECONDS: '30',
  SIGNING_KEY_ROTATION_LEAD_SECONDS: '2',
  SIGNING_KEY_RELOAD_SECONDS: '1',
};
const ACCESS_TTL_SECONDS = 30;
/** The skew KeyRingService adds to the token lifetime before a replaced key leaves the JWKS. */
const CLOCK_SKEW_SECONDS = 60;
const RELOAD_MS = 1000;
const LEAD_MS = 2000;

/** RFC 7518 §6.2.2 / §6.3.2: the private members of EC and RSA JWKs. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sleepUntil = (at: Date, extraMs = 0) =>
  sleep(Math.max(0, at.getTime() - Date.now()) + extraMs);

async function jwks(server: TestServer): Promise<JSONWebKeySet> {
  const res = await getJson(`${server.url}/.well-known/jwks.json`);
  expect(res.status).toBe(200);
  return res.body as unknown as JSONWebKeySet;
}

const kidsOf = (set: JSONWebKeySet) => set.keys.map((key) => key.kid as string).sort();

/** A fresh access token for the bootstrap admin through the password grant (RFC 6749 §4.3). */
async function accessToken(server: TestServer): Promise<string> {
  const res = await tokenRequest(server.url, CONSOLE, {
    grant_type: 'password',
    username: ADMIN.username,
    password: ADMIN.password,
  });
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

const kidOf = (token: string) => decodeJwt(token).header.kid as string;

/** What a resource server does: verify against the published JWKS only (RFC 9068 §4). */
function verifyWithJwks(token: string, set: JSONWebKeySet, issuer: string) {
  return jwtVerify(token, createLocalJWKSet(set), { issuer, audience: 'tessera', typ: 'at+jwt' });
}

/** Polls `server`'s JWKS until `done` holds or `timeoutMs` passes; returns the last set and when it was read. */
async function pollJwks(server: TestServer, done: (kids: string[]) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const set = await jwks(server);
    if (done(kidsOf(set)) || Date.now() >= deadline) return { set, at: Date.now() };
    await sleep(100);
  }
}

/** True when `der` parses as a private key in any DER layout node knows. */
function parsesAsPrivateKey(der: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: der, format: 'der', type });
      return true;
    } catch {
      /* not this layout */
    }
  }
  return false;
}

describe.each(DATABASES)('signing keys and the JWKS (RFC 7517) on %s', (kind) => {
  let db: TestDatabase;
  /** Two processes of one deployment on one database. */
  let serverA: TestServer;
  let serverB: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    serverA = await startServer(db.url, CLUSTER_ENV);
    serverB = await startServer(db.url, CLUSTER_ENV);
  });
  afterAll(async () => {
    await serverB?.close();
    await serverA?.close();
    await db?.drop();
  });

  it('publishes only public members, with kid, kty, alg and use, including the kid tokens are signed with', async () => {
    const res = await getJson(`${serverA.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    // RFC 7517 §8.5.1: the JWK Set media type.
    expect(res.headers.get('content-type')).toMatch(/^application\/jwk-set\+json(;|$)/);
    const set = res.body as unknown as JSONWebKeySet;
    expect(set.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of set.keys) {
      expect(key).toMatchObject({ kid: expect.any(String), kty: 'RSA', alg: 'RS256', use: 'sig' });
      for (const member of PRIVATE_JWK_MEMBERS) expect(key).not.toHaveProperty(member);
    }
    expect(new Set(kidsOf(set)).size).toBe(set.keys.length);
    // A verifier's cached copy must expire, and be refetched after our own reload, before the
    // next key's lead time is over; otherwise it would meet tokens signed by a key it lacks.
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(0);
    expect(maxAge * 1000 + RELOAD_MS).toBeLessThanOrEqual(LEAD_MS);

    const token = await accessToken(serverA);
    const { header } = decodeJwt(token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(kidsOf(set)).toContain(header.kid);
    await expect(verifyWithJwks(token, set, serverA.config.issuer)).resolves.toBeDefined();
  });

  it('answers a revalidation of an unchanged set with 304 and its strong ETag, also within a list or weakened (RFC 9110 §13.1.2)', async () => {
    const first = await fetch(`${serverA.url}/.well-known/jwks.json`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await fetch(`${serverA.url}/.well-known/jwks.json`, {
      headers: { 'if-none-match': etag as string },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    // A list, compared weakly: a cache that holds several versions, or a weakened tag.
    const listed = await fetch(`${serverA.url}/.well-known/jwks.json`, {
      headers: { 'if-none-match': `"older", W/${etag as string}` },
    });
    expect(listed.status).toBe(304);
    expect(listed.headers.get('etag')).toBe(etag);
    expect(await listed.text()).toBe('');
    const stale = await fetch(`${serverA.url}/.well-known/jwks.json`, {
      headers: { 'if-none-match': '"something-else"' },
    });
    expect(stale.status).toBe(200);
    expect(await stale.json()).toEqual(await first.json());
  });

  it('serves the set with its media type, caching rules and request id; HEAD without a body', async () => {
    const res = await fetch(`${serverA.url}/.well-known/jwks.json?ignored=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jwk-set+json');
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const body = await res.text();
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(body));

    const head = await fetch(`${serverA.url}/.well-known/jwks.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(head.headers.get('etag')).toBe(res.headers.get('etag'));
    expect(head.headers.get('content-length')).toBe(res.headers.get('content-length'));
    expect(await head.text()).toBe('');
  });

  it('answers another method with 405 and Allow, and OPTIONS with 204', async () => {
    const post = await fetch(`${serverA.url}/.well-known/jwks.json`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(await post.json()).toEqual({ statusCode: 405, message: 'Method Not Allowed' });
    const options = await fetch(`${serverA.url}/.well-known/jwks.json`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it.each([
    ['POST', '/.well-known/JWKS.json'],
    ['GET', '/.well-known/jwks.json/'],
    ['GET', '/.WELL-KNOWN/JWKS.JSON'],
  ])('answers %s %s with 404, not with the set', async (method, path) => {
    const res = await fetch(`${serverA.url}${path}`, { method });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('"keys"');
  });

  it('keeps private keys encrypted at rest (AES-GCM, never PEM or bare DER)', async () => {
    const rows: Array<{ kid: string; private_key_encrypted: string }> =
      await serverA.dataSource.query('SELECT kid, private_key_encrypted FROM signing_keys');
    expect(rows.length).toBeGreaterThanOrEqual(1);
    const published = await jwks(serverA);
    const cipher = new PrivateKeyCipher(serverA.get(KeyMaterial).keyFor('signing-key-encryption'));
    for (const { kid, private_key_encrypted: sealed } of rows) {
      expect(sealed.startsWith('v1.')).toBe(true);
      expect(sealed).not.toContain('PRIVATE KEY');
      const candidates = [sealed, ...sealed.split('.')].flatMap((text) => [
        Buffer.from(text, 'base64'),
        Buffer.from(text, 'base64url'),
      ]);
      for (const candidate of candidates) expect(parsesAsPrivateKey(candidate)).toBe(false);

      // The ciphertext really is this key's private half, readable only with the key-encryption key.
      const privateKey = createPrivateKey({
        key: cipher.decrypt(kid, sealed),
        format: 'der',
        type: 'pkcs8',
      });
      const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
      const servedJwk = published.keys.find((key) => key.kid === kid);
      expect(servedJwk).toMatchObject({ n: publicJwk.n, e: publicJwk.e });
    }
  });

  it(`retires a replaced key ACCESS_TOKEN_TTL_SECONDS + ${CLOCK_SKEW_SECONDS} s after its successor activates`, async () => {
    // Backdated rows stand in for history, so the wiring of the retention (configured lifetime
    // plus skew, stored timestamps on this engine) is observed without waiting 90 s.
    // k1 → k2 activated 100 s ago (> 90: k1 retired); k2 → k3 activated 80 s ago (< 90: k2
    // still published; with the skew left out it would be gone, with the default 900 s k1 would stay).
    const retention = ACCESS_TTL_SECONDS + CLOCK_SKEW_SECONDS;
    const now = Date.now();
    const cipher = new PrivateKeyCipher(serverA.get(KeyMaterial).keyFor('signing-key-encryption'));
    const history = [1000, retention + 10, retention - 10].map((agoSeconds, index) => {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = `backdated-${kind}-${index + 1}`;
      const at = new Date(now - agoSeconds * 1000);
      const publicJwk = {
        ...(publicKey.export({ format: 'jwk' }) as JWK),
        kid,
        alg: 'RS256',
        use: 'sig',
      };
      const row: SigningKeyEntity = {
        kid,
        algorithm: 'RS256',
        publicJwk: JSON.stringify(publicJwk),
        privateKeyEncrypted: cipher.encrypt(
          kid,
          privateKey.export({ format: 'der', type: 'pkcs8' }),
        ),
        createdAt: at,
        activatesAt: at,
        revokedAt: null,
      };
      return row;
    });
    const ring = serverA.get(KeyRingService);
    const signingBefore = kidOf(await accessToken(serverA));
    await serverA.dataSource.getRepository(SigningKeyEntity).insert(history);
    try {
      await ring.reload();
      const kids = kidsOf(await jwks(serverA));
      expect(kids).not.toContain(history[0].kid);
      expect(kids).toContain(history[1].kid);
      expect(kids).toContain(history[2].kid);
      expect(kids).toContain(signingBefore);
      // Older keys never take over signing from the newest active one.
      expect(kidOf(await accessToken(serverA))).toBe(signingBefore);
    } finally {
      // Withdraw the stand-ins so that the rest of the file sees only real keys.
      for (const row of history) await ring.revoke(row.kid);
    }
    const withdrawn = kidsOf(await jwks(serverA));
    for (const row of history) expect(withdrawn).not.toContain(row.kid);
  });

  it('rotates without downtime: the next key is published first, signs after the lead time, and old tokens stay valid', async () => {
    const t1 = await accessToken(serverA);
    const oldKid = kidOf(t1);

    const next = await serverA.get(KeyRingService).rotate();
    expect(next).toMatchObject({ signing: false, published: true, algorithm: 'RS256' });
    expect(next.kid).not.toBe(oldKid);
    expect(next.activatesAt.getTime() - next.createdAt.getTime()).toBe(LEAD_MS);

    // Within the lead time: both keys are published, the old one still signs.
    const during = kidsOf(await jwks(serverA));
    const signedDuring = kidOf(await accessToken(serverA));
    expect(Date.now()).toBeLessThan(next.activatesAt.getTime());
    expect(during).toEqual(expect.arrayContaining([oldKid, next.kid]));
    expect(signedDuring).toBe(oldKid);

    await sleepUntil(next.activatesAt, 200);
    const t2 = await accessToken(serverA);
    expect(kidOf(t2)).toBe(next.kid);

    // T1, signed by the replaced key, still verifies against the JWKS alone and introspects active.
    const after = await jwks(serverA);
    expect(kidsOf(after)).toEqual(expect.arrayContaining([oldKid, next.kid]));
    const verified = await verifyWithJwks(t1, after, serverA.config.issuer);
    expect(verified.protectedHeader.kid).toBe(oldKid);
    await expect(verifyWithJwks(t2, after, serverA.config.issuer)).resolves.toBeDefined();
    const res = await introspect(serverA, t1);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      active: true,
      token_type: 'Bearer',
      client_id: CONSOLE.clientId,
    });
  });

  it('agrees across processes on one database: one signer, and a key rotated by one is published by the other within the reload interval', async () => {
    const [tokenA, tokenB] = [await accessToken(serverA), await accessToken(serverB)];
    expect(kidOf(tokenB)).toBe(kidOf(tokenA));
    expect(kidsOf(await jwks(serverB))).toEqual(kidsOf(await jwks(serverA)));

    const next = await serverA.get(KeyRingService).rotate();
    const rotatedAt = Date.now();
    const seen = await pollJwks(serverB, (kids) => kids.includes(next.kid), 3000);
    expect(kidsOf(seen.set)).toContain(next.kid);
    expect(seen.at - rotatedAt).toBeLessThanOrEqual(RELOAD_MS + 1000);

    await sleepUntil(next.activatesAt, 200);
    const [afterA, afterB] = [await accessToken(serverA), await accessToken(serverB)];
    expect(kidOf(afterA)).toBe(next.kid);
    expect(kidOf(afterB)).toBe(next.kid);

    // One deployment: each process's tokens are good at the other, and both older tokens still hold.
    const setA = await jwks(serverA);
    for (const token of [tokenA, tokenB, afterA, afterB]) {
      await expect(verifyWithJwks(token, setA, serverA.config.issuer)).resolves.toBeDefined();
    }
    expect((await introspect(serverA, afterB)).body).toMatchObject({ active: true });
    expect((await introspect(serverB, tokenA)).body).toMatchObject({ active: true });
  });

  it('withdraws a revoked key from the JWKS at once, and it never signs', async () => {
    const ring = serverA.get(KeyRingService);
    const signing = kidOf(await accessToken(serverA));
    const pending = await ring.rotate();
    expect(kidsOf(await jwks(serverA))).toContain(pending.kid);

    await expect(ring.revoke(pending.kid)).resolves.toBe(true);
    const kids = kidsOf(await jwks(serverA));
    expect(kids).not.toContain(pending.kid);
    expect(kids).toContain(signing);
    // The other process follows within its reload interval.
    const seen = await pollJwks(serverB, (k) => !k.includes(pending.kid), RELOAD_MS + 1500);
    expect(kidsOf(seen.set)).not.toContain(pending.kid);

    // Past the time it would have activated, the previous key still signs on both processes.
    await sleepUntil(pending.activatesAt, 200);
    expect(kidOf(await accessToken(serverA))).toBe(signing);
    expect(kidOf(await accessToken(serverB))).toBe(signing);
    await expect(ring.revoke('no-such-kid')).resolves.toBe(false);
  });

  it('revokes a compromised signing key with an immediate replacement: signing never stops, its tokens die, no retired key returns', async () => {
    const ring = serverA.get(KeyRingService);
    const before = await accessToken(serverA);
    const compromised = kidOf(before);
    // Verified once while its key is good: the verification is remembered, and must not outlive the key.
    expect((await introspect(serverA, before)).body.active).toBe(true);

    await expect(ring.revoke(compromised)).resolves.toBe(true);
    const after = await accessToken(serverA);
    const replacement = kidOf(after);
    expect(replacement).not.toBe(compromised);
    const kids = kidsOf(await jwks(serverA));
    expect(kids).not.toContain(compromised);
    expect(kids).toContain(replacement);
    // Tokens signed by the revoked key no longer introspect active; the replacement's do.
    expect((await introspect(serverA, before)).body).toEqual({ active: false });
    expect((await introspect(serverA, after)).body.active).toBe(true);
    // Every key retired earlier in this file stays retired: only the replacement signs, on both processes.
    await sleep(RELOAD_MS + 200);
    expect(kidOf(await accessToken(serverB))).toBe(replacement);
  });

  it('keeps its keys across a restart: same JWKS, same signing key, earlier tokens still valid', async () => {
    const before = await accessToken(serverA);
    const kidsBefore = kidsOf(await jwks(serverA));
    // The keys replaced by the rotations above are still retained: the set holds several.
    expect(kidsBefore.length).toBeGreaterThanOrEqual(2);
    const countKeys = async () =>
      Number((await serverA.dataSource.query('SELECT COUNT(*) AS n FROM signing_keys'))[0].n);
    const keysBefore = await countKeys();

    await serverA.close();
    // A new process has no key in memory: signing now needs the stored key decrypted.
    serverA = await startServer(db.url, CLUSTER_ENV);

    const setAfter = await jwks(serverA);
    expect(kidsOf(setAfter)).toEqual(kidsBefore);
    const after = await accessToken(serverA);
    expect(kidOf(after)).toBe(kidOf(before));
    await expect(verifyWithJwks(after, setAfter, serverA.config.issuer)).resolves.toBeDefined();
    await expect(verifyWithJwks(before, setAfter, serverA.config.issuer)).resolves.toBeDefined();
    const res = await introspect(serverA, before);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: true, jti: decodeJwt(before).payload.jti });
    // The restarted process found a usable key and made none.
    expect(await countKeys()).toBe(keysBefore);
  });

  it('signs with ES256 (kty EC, crv P-256) when SIGNING_KEY_ALGORITHM=ES256', async () => {
    const ecDb = await createTestDatabase(kind);
    let ecServer: TestServer | undefined;
    try {
      ecServer = await startServer(ecDb.url, { SIGNING_KEY_ALGORITHM: 'ES256' });
      const token = await accessToken(ecServer);
      const { header } = decodeJwt(token);
      expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });

      const set = await jwks(ecServer);
      const jwk = set.keys.find((key) => key.kid === header.kid);
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(typeof jwk?.x).toBe('string');
      expect(typeof jwk?.y).toBe('string');
      for (const key of set.keys)
        for (const member of PRIVATE_JWK_MEMBERS) expect(key).not.toHaveProperty(member);
      const verified = await verifyWithJwks(token, set, ecServer.config.issuer);
      expect(verified.protectedHeader.alg).toBe('ES256');
      expect((await introspect(ecServer, token)).body).toMatchObject({ active: true });
    } finally {
      await ecServer?.close();
      await ecDb.drop();
    }
  });
});
