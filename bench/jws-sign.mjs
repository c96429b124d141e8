// `node bench/jws-sign.mjs` (after `npm run build`): the CPU one access token
// costs to sign, Tessera's JwtSigner against jose's SignJWT, in one process,
// with the same key, the same claims and 20 signatures in flight (as under
// the bench's 20 connections). Both sign with one asynchronous crypto.sign on
// libuv's pool; what differs is the work around it on the main thread.
// Rounds alternate the two; medians of CPU µs per token (process CPU: the
// main thread and the pool) and of the per-round ratio.
//
// Knobs: BENCH_ROUNDS (default 7), BENCH_TOKENS per round and algorithm (default 20000).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { fmt, median, max, min } from './lib/stats.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { JwtSigner } = require(path.join(ROOT, 'dist/apps/identity-server/src/keys/jwt-signer.js'));

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const perRound = Number(process.env.BENCH_TOKENS ?? 20000);
const inFlight = 20;

const claims = () => ({
  iss: 'http://127.0.0.1:3000',
  sub: 'bench-cc',
  aud: 'tessera',
  exp: 2_000_000_000,
  iat: 1_900_000_000,
  jti: randomUUID(),
  client_id: 'bench-cc',
  scope: 'orders:read',
});

async function cpuPerToken(signOne) {
  const start = process.cpuUsage();
  let left = perRound;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await signOne();
    }),
  );
  const used = process.cpuUsage(start);
  return (used.user + used.system) / perRound; // µs
}

for (const algorithm of ['ES256', 'RS256']) {
  const { privateKey } =
    algorithm === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = { kid: randomUUID(), algorithm, privateKey };
  const signer = new JwtSigner({});
  const sides = {
    JwtSigner: () => signer.sign(claims(), 'at+jwt', key),
    'jose SignJWT': () =>
      new SignJWT(claims())
        .setProtectedHeader({ alg: algorithm, kid: key.kid, typ: 'at+jwt' })
        .sign(privateKey),
  };
  for (const sign of Object.values(sides)) await cpuPerToken(sign); // warm-up
  const got = { JwtSigner: [], 'jose SignJWT': [] };
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['JwtSigner', 'jose SignJWT'] : ['jose SignJWT', 'JwtSigner'];
    const now = {};
    for (const name of order) now[name] = await cpuPerToken(sides[name]);
    for (const name of order) got[name].push(now[name]);
    ratios.push(now.JwtSigner / now['jose SignJWT']);
  }
  const line = (name) =>
    `${fmt(median(got[name]), 1)} µs (${fmt(min(got[name]), 1)}–${fmt(max(got[name]), 1)})`;
  process.stdout.write(
    `${algorithm}: CPU per token, JwtSigner ${line('JwtSigner')}, jose SignJWT ${line('jose SignJWT')}; ` +
      `ratio per round ${ratios.map((r) => fmt(r, 2)).join(', ')}, median ${fmt(median(ratios), 2)}; ` +
      `difference of the medians ${fmt(median(got['jose SignJWT']) - median(got.JwtSigner), 1)} µs\n`,
  );
}
