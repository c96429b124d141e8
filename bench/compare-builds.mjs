// CPU per request of two or more builds of Tessera on the RS256
// client_credentials request, side by side in the same rounds, with the RS256
// floor (bench/servers/rs256-floor.mjs) as a reference.
//
// For a change whose effect is smaller than the host's drift between runs:
// throughput ratios against the peer move ±10% from round to round, while the
// server's own CPU time per request (utime + stime from /proc, divided by the
// answers it gave) moves 2–4%, and alternating the sides in every round cancels
// the drift. `npm run bench` remains the judge of the bars; this tells whether
// a change is worth making.
//
//   node bench/compare-builds.mjs <build> [<build> ...]
//
// A build is a compiled tree inside this repository (dist/ resolves its
// packages from node_modules/ here; bench/builds/ is ignored by git and
// eslint). For instance, the committed code against the working tree:
//   mkdir -p bench/builds && rm -rf bench/builds/before
//   git stash -u && npm run build && cp -r dist bench/builds/before; git stash pop
//   npm run build && node bench/compare-builds.mjs bench/builds/before dist
// A build may carry node flags and one environment variable for its process:
// `dist@--max-semi-space-size=32`, `dist#UV_THREADPOOL_SIZE=2`.
//
// Environment: COMPARE_ROUNDS (8), COMPARE_SECONDS (6), COMPARE_CONNECTIONS
// (20); COMPARE_PERF=1 also records the second round of every side with
// `perf record -e cpu-clock -g` in one extra round that is left out of the
// figures (start the sides with `@--perf-basic-prof` to name JavaScript
// frames). Output, with results.json, goes to bench/results/compare-<time>/.
// Sides take turns going first: round r starts with side r mod n.
// Each side runs on its own SQLite database: the request reads no table once
// the client is cached, so the engine does not matter here.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { autocannonRun, basicAuth, FORM } from './lib/load.mjs';
import { childEnv, cpuMs, createBenchClient, freePort, killAllSync, startProcess, stopAll, waitForHttp } from './lib/procs.mjs';
import { median, table } from './lib/stats.mjs';

const ROOT = path.resolve(new URL('..', import.meta.url).pathname);
const int = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const cfg = {
  rounds: int('COMPARE_ROUNDS', 8),
  seconds: int('COMPARE_SECONDS', 6),
  connections: int('COMPARE_CONNECTIONS', 20),
  perf: process.env.COMPARE_PERF === '1',
};
const specs = process.argv.slice(2);
if (specs.length === 0) {
  process.stderr.write('usage: node bench/compare-builds.mjs <build>[@node flags][#NAME=value] ...\n');
  process.exit(2);
}
process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });

const outDir = path.join(ROOT, 'bench/results', `compare-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(outDir, { recursive: true });
const BODY = 'grant_type=client_credentials&scope=orders%3Aread';


/** One Tessera build, started on a fresh SQLite database with the bench's client. */
async function startBuild(spec, index) {
  const [withFlags, envPair] = spec.split('#');
  const [dir, flags] = withFlags.split('@');
  const dist = path.resolve(dir);
  const main = path.join(dist, 'apps/identity-server/src/main.js');
  if (!existsSync(main)) throw new Error(`${spec}: no ${path.relative(ROOT, main)} (a build is a copy of dist/)`);
  const port = await freePort();
  const separator = envPair?.indexOf('=') ?? -1;
  const env = childEnv({
    PORT: String(port),
    ISSUER_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: `sqlite:${path.join(outDir, `build-${index}.sqlite`)}`,
    LOG_LEVEL: 'warn',
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SIGNING_KEY_ALGORITHM: 'RS256',
    BOOTSTRAP_ADMIN_USERNAME: 'bench-admin',
    BOOTSTRAP_ADMIN_PASSWORD: `Bench-${randomBytes(18).toString('base64url')}`,
    ...(envPair ? { [envPair.slice(0, separator)]: envPair.slice(separator + 1) } : {}),
  });
  const secret = await createBenchClient(dist, { env, cwd: ROOT, logFile: path.join(outDir, `cli-${index}.log`) });
  const nodeFlags = flags ? flags.split(' ') : [];
  // V8's code-event flags (--perf-basic-prof among them) also write isolate logs, by default into the cwd (the repository).
  if (nodeFlags.some((f) => f.startsWith('--perf'))) nodeFlags.push(`--logfile=${path.join(outDir, `v8-${index}.log`)}`, '--no-logfile-per-isolate');
  const proc = startProcess(`build-${index}`, process.execPath, [...nodeFlags, main], {
    env,
    cwd: ROOT,
    logFile: path.join(outDir, `build-${index}.log`),
  });
  await waitForHttp(`http://127.0.0.1:${port}/health/ready`, proc, 120_000);
  return { name: `${index}: ${spec}`, proc, url: `http://127.0.0.1:${port}/oauth/token`, auth: basicAuth('bench-cc', secret) };
}

async function startFloor() {
  const port = await freePort();
  const secret = randomBytes(32).toString('base64url');
  const proc = startProcess('rs256-floor', process.execPath, [path.join(ROOT, 'bench/servers/rs256-floor.mjs')], {
    env: childEnv({ FLOOR_PORT: String(port), FLOOR_CLIENT_ID: 'bench-cc', FLOOR_CLIENT_SECRET: secret }),
    cwd: ROOT,
    logFile: path.join(outDir, 'floor.log'),
  });
  await waitForHttp(`http://127.0.0.1:${port}/health`, proc, 30_000);
  return { name: 'floor (reference)', proc, url: `http://127.0.0.1:${port}/`, auth: basicAuth('bench-cc', secret) };
}

function load(side, seconds) {
  return autocannonRun({
    url: side.url,
    method: 'POST',
    headers: { authorization: side.auth, 'content-type': FORM },
    body: BODY,
    connections: cfg.connections,
    seconds,
  });
}

/** Records `side` with perf for `seconds`: the file, or null when perf is missing or failed. */
function record(side, index, seconds) {
  const file = path.join(outDir, `perf-${index}.data`);
  const child = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '1999', '-g', '-p', String(side.proc.pid), '-o', file, '--', 'sleep', String(seconds)], { stdio: 'ignore' });
  return new Promise((resolve) => {
    child.once('error', (error) => {
      console.log(`perf could not run (${error.message}): no recording of ${side.name}`);
      resolve(null);
    });
    child.once('exit', (code) => {
      if (code !== 0) console.log(`perf exited with ${code}: no recording of ${side.name}`);
      resolve(code === 0 ? file : null);
    });
  });
}

const sides = [];
try {
  for (const [index, spec] of specs.entries()) sides.push(await startBuild(spec, index));
  sides.push(await startFloor());
  console.log(`${cfg.rounds} rounds × ${cfg.seconds} s, ${cfg.connections} connections; round r starts with side r mod ${sides.length}`);
  for (const side of sides) {
    const warm = await load(side, 3);
    if (warm.firstFailure) throw new Error(`${side.name} answered ${warm.firstFailure}`);
  }
  const results = sides.map(() => []);
  for (let round = 0; round < cfg.rounds; round++) {
    const order = sides.map((_, k) => (k + round) % sides.length);
    for (const i of order) {
      const side = sides[i];
      const before = cpuMs(side.proc.pid);
      const run = await load(side, cfg.seconds);
      const cpu = cpuMs(side.proc.pid) - before;
      if (run.non2xx || run.errors) throw new Error(`${side.name}: ${run.non2xx} non-2xx, ${run.errors} errors (${run.firstFailure ?? ''})`);
      results[i].push({ rps: run.rps, us: (cpu / run.total) * 1000 });
    }
    console.log(`round ${round + 1}: ${sides.map((s, i) => `${results[i][round].us.toFixed(1)} µs`).join(' | ')}`);
  }
  const recorded = [];
  if (cfg.perf) {
    // One more round, recorded and not counted: sampling call stacks costs CPU of its own.
    for (const [i, side] of sides.entries()) {
      const recording = record(side, i, cfg.seconds - 1);
      await load(side, cfg.seconds);
      const file = await recording;
      if (file) recorded.push(path.relative(ROOT, file));
    }
  }
  const base = results[0];
  const rows = [['side', 'CPU µs/request, median (min–max)', 'req/s median', 'CPU / side 0 per round (median)']];
  sides.forEach((side, i) => {
    const us = results[i].map((r) => r.us);
    const ratios = results[i].map((r, k) => r.us / base[k].us);
    rows.push([
      side.name,
      `${median(us).toFixed(1)} (${Math.min(...us).toFixed(1)}–${Math.max(...us).toFixed(1)})`,
      median(results[i].map((r) => r.rps)).toFixed(0),
      i === 0 ? '-' : `${ratios.map((x) => x.toFixed(3)).join(' ')} (${median(ratios).toFixed(3)})`,
    ]);
  });
  console.log(`\n${table(rows)}`);
  writeFileSync(
    path.join(outDir, 'results.json'),
    JSON.stringify({ cfg, sides: sides.map((side, i) => ({ name: side.name, rounds: results[i] })) }, null, 2),
  );
  console.log(`\noutput: ${path.relative(ROOT, outDir)}/results.json`);
  if (recorded.length) console.log(`perf data: ${recorded.join(', ')} (perf report -i <file> --sort pid,dso)`);
} finally {
  await stopAll();
  for (const i of specs.keys()) rmSync(path.join(outDir, `build-${i}.sqlite`), { force: true });
}
