// Other designs of the RS256 floor (bench/servers/rs256-floor.mjs) against
// the floor `npm run bench` uses, on the same request, side by side in the
// same rounds: whether a bare server could beat one process that signs on
// libuv's pool (docs/performance.md, item 15).
//
//   node bench/floor-variants.mjs
//
// Sides: the floor as the harness runs it (one process, signing on the pool);
// two processes (node:cluster) signing on their own threads; two processes
// signing on the pool. Requests per second of each, per round, and each
// side's ratio to the first. Environment: VARIANT_ROUNDS (6), VARIANT_SECONDS
// (8), VARIANT_CONNECTIONS (20). The servers' output goes to the system's
// temporary folder.
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { autocannonRun, basicAuth, FORM } from './lib/load.mjs';
import { childEnv, freePort, killAllSync, startProcess, stopAll, waitForHttp } from './lib/procs.mjs';
import { fmt, median, table } from './lib/stats.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.VARIANT_ROUNDS ?? 6);
const SECONDS = Number(process.env.VARIANT_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.VARIANT_CONNECTIONS ?? 20);
const SECRET = 'floor-variants-secret';
const VARIANTS = [
  { name: 'one process, pool (the harness floor)', env: {} },
  { name: 'two processes, signing on their threads', env: { FLOOR_WORKERS: '2', FLOOR_SIGN: 'sync' } },
  { name: 'two processes, pool', env: { FLOOR_WORKERS: '2' } },
];

process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

async function start(variant, index) {
  const port = await freePort();
  const proc = startProcess(`floor-${index}`, process.execPath, [path.join(ROOT, 'bench/servers/rs256-floor.mjs')], {
    env: childEnv({ FLOOR_PORT: String(port), FLOOR_CLIENT_ID: 'bench-cc', FLOOR_CLIENT_SECRET: SECRET, ...variant.env }),
    cwd: ROOT,
    logFile: path.join(tmpdir(), `floor-variants-${process.pid}-${index}.log`),
  });
  await waitForHttp(`http://127.0.0.1:${port}/health`, proc, 30_000);
  return { ...variant, url: `http://127.0.0.1:${port}/`, rps: [] };
}

function load(side, seconds) {
  return autocannonRun({
    url: side.url,
    method: 'POST',
    headers: { authorization: basicAuth('bench-cc', SECRET), 'content-type': FORM },
    body: 'grant_type=client_credentials&scope=orders%3Aread',
    connections: CONNECTIONS,
    seconds,
  });
}

const sides = [];
for (const [i, v] of VARIANTS.entries()) sides.push(await start(v, i));
for (const side of sides) await load(side, 2); // warm-up
console.log(`${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections; round r starts with side (r − 1) mod ${sides.length}, in table order`);
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < sides.length; k++) {
    const side = sides[(r + k) % sides.length];
    const result = await load(side, SECONDS);
    if (result.non2xx > 0) throw new Error(`${side.name}: ${result.firstFailure}`);
    side.rps.push(result.rps);
  }
  console.log(`round ${r + 1}: ${sides.map((s) => fmt(s.rps[r], 0)).join(' | ')}`);
}
const first = sides[0].rps;
console.log(
  table([
    ['side', 'req/s median', 'ratio to the first, per round', 'median'],
    ...sides.map((s, i) => {
      const ratios = s.rps.map((x, r) => x / first[r]);
      return [s.name, fmt(median(s.rps), 0), i === 0 ? '-' : ratios.map((x) => fmt(x, 2)).join(' '), i === 0 ? '-' : fmt(median(ratios), 3)];
    }),
  ]),
);
await stopAll();
