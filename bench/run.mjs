// `npm run bench`: Tessera side by side with node-oidc-provider, on loopback,
// in one run. Builds once, creates fresh MariaDB databases, starts every
// server as its own child process, alternates A and B for several rounds per
// scenario, prints medians with min–max, the A/B ratio of every round, latency,
// server CPU per request and peak RSS, and the bars of issue 5 with PASS/MISS.
// Kills its children and drops its databases at the end, also on failure.
//
// Knobs (environment): see docs/performance.md, "How to reproduce".
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createDatabase, dropDatabases } from './lib/db.mjs';
import { autocannonRun, basicAuth, FORM, pacedRun } from './lib/load.mjs';
import { busyCores, machineInfo, machineJiffies } from './lib/machine.mjs';
import {
  childEnv,
  cpuMs,
  createBenchClient,
  freePort,
  killAllSync,
  mariadbPid,
  memoryMb,
  resetPeakRss,
  runCommand,
  startProcess,
  stopAll,
  waitForHttp,
} from './lib/procs.mjs';
import { renderMarkdown } from './lib/report.mjs';
import { fmt, max, median, min, spread, table } from './lib/stats.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const int = (name, fallback) => (env[name] ? Number.parseInt(env[name], 10) : fallback);

const cfg = {
  rounds: int('BENCH_ROUNDS', 5),
  seconds: int('BENCH_SECONDS', 10),
  warmup: int('BENCH_WARMUP_SECONDS', 3),
  connections: int('BENCH_CONNECTIONS', 20),
  // Password rounds are longer: at ~15 logins/s with 20 in flight (about 1.3 s each), the
  // requests a 10 s window starts but cannot finish are ~15% of it, and they weigh more on
  // the server whose requests need a second trip through the thread pool after bcrypt.
  passwordSeconds: int('BENCH_PASSWORD_SECONDS', 3 * int('BENCH_SECONDS', 10)),
  floodConnections: int('BENCH_FLOOD_CONNECTIONS', 20),
  mixedCcRate: int('BENCH_MIXED_CC_RATE', 0),
  mixedMeRate: int('BENCH_MIXED_ME_RATE', 0),
  scenarios: env.BENCH_SCENARIOS ? env.BENCH_SCENARIOS.split(',').map((s) => s.trim()) : null,
  profile: env.BENCH_PROFILE === '1',
  skipBuild: env.BENCH_SKIP_BUILD === '1',
  dist: env.BENCH_DIST ? path.resolve(env.BENCH_DIST) : null,
};

const ALL_SCENARIOS = [
  'cc-rs256',
  'introspection',
  'introspection-opaque',
  'jwks',
  'refresh',
  'password',
  'guard',
  'mixed',
  'cc-es256',
];
const wanted = (id) => (cfg.scenarios ? cfg.scenarios.includes(id) : true);
for (const id of cfg.scenarios ?? [])
  if (!ALL_SCENARIOS.includes(id)) throw new Error(`BENCH_SCENARIOS: unknown scenario ${id} (${ALL_SCENARIOS.join(', ')})`);

const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '');
const runDir = path.join(ROOT, 'bench', 'results', `run-${stamp}`);
mkdirSync(path.join(runDir, 'logs'), { recursive: true });
const output = createWriteStream(path.join(runDir, 'output.txt'));
const say = (text = '') => {
  process.stdout.write(`${text}\n`);
  output.write(`${text}\n`);
};

const results = [];
const dbPid = mariadbPid();
const machine = machineInfo();

// ---------------------------------------------------------------------------
// Cleanup: every child is killed and every database dropped, however the run ends.

let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    await stopAll();
    try {
      await dropDatabases();
    } catch (error) {
      say(`could not drop the bench databases: ${error.message}`);
    }
  })();
  return cleaning;
}
process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    say(`\n${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------
// Small helpers.

async function postForm(url, auth, form) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': FORM },
    body: new URLSearchParams(form),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function getOk(url, headers) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

/** `n` results of `fn`, at most `concurrency` at a time. */
async function pool(n, concurrency, fn) {
  const out = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

function jwtHeader(token) {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

/** Node flags of a server child: --cpu-prof when BENCH_PROFILE=1. */
function nodeFlags(name) {
  if (!cfg.profile) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${path.join(runDir, 'profiles')}`, `--cpu-prof-name=${name}.cpuprofile`];
}


// ---------------------------------------------------------------------------
// Measuring one round of one side.

/**
 * Runs `side.load` once and measures, from /proc, the CPU time its server
 * processes used (and MariaDB's, for sides on the database), the machine's
 * busy cores, the load generator's own CPU, and the servers' peak RSS.
 */
async function measure(side, seconds, extra) {
  const prepared = side.prepare ? await side.prepare() : undefined;
  const cpu0 = side.procs.map((p) => cpuMs(p.pid));
  const db0 = side.db && dbPid ? cpuMs(dbPid) : NaN;
  const m0 = machineJiffies();
  const self0 = process.cpuUsage();
  // The load generator shares the machine: its own event-loop delay says how
  // much of a measured latency could be the client's rather than the server's.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const r = await side.load(seconds, prepared, extra);
  lag.disable();
  const self = process.cpuUsage(self0);
  r.loadgenLagP99 = lag.percentile(99) / 1e6;
  const m1 = machineJiffies();
  const serverCpu = () => side.procs.reduce((sum, p, i) => sum + cpuMs(p.pid) - cpu0[i], 0);
  const inWindow = serverCpu();
  const dbInWindow = side.db && dbPid ? cpuMs(dbPid) - db0 : NaN;
  const wallMs = r.seconds * 1000;
  r.peakMb = max(side.procs.map((p) => memoryMb(p.pid).peakMb));
  // CPU per request counts every request sent, including those still in
  // flight when the round ended: the servers finish them before they settle.
  await settle(side.procs);
  const sent = r.sent ?? r.total;
  r.cpuMs = serverCpu();
  r.cpuPerReq = sent > 0 ? r.cpuMs / sent : NaN;
  r.dbCpuPerReq = side.db && dbPid && sent > 0 ? (cpuMs(dbPid) - db0) / sent : NaN;
  r.cores = inWindow / wallMs;
  r.loadgenCores = (self.user + self.system) / 1000 / wallMs;
  r.machineCores = busyCores(m0, m1, machine.nproc);
  r.otherCores =
    r.machineCores - r.cores - r.loadgenCores - (Number.isFinite(dbInWindow) ? dbInWindow / wallMs : 0);
  return r;
}

/** Cores the machine keeps busy for 2 s while none of the bench's servers is loaded: other users' work. */
async function backgroundLoad() {
  const m0 = machineJiffies();
  await new Promise((r) => setTimeout(r, 2000));
  return busyCores(m0, machineJiffies(), machine.nproc);
}

/**
 * Waits until the servers are idle again (under 5% of a core over 300 ms, at
 * most 30 s): requests the load generator abandoned at the end of a round
 * (a password grant takes over a second under load) must not run into the
 * next measurement.
 */
async function settle(procs) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const before = procs.reduce((s, p) => s + cpuMs(p.pid), 0);
    await new Promise((r) => setTimeout(r, 300));
    const used = procs.reduce((s, p) => s + cpuMs(p.pid), 0) - before;
    if (used < 0.05 * 300 * procs.length) return;
  }
}

const barText = (bar) => (bar ? `${bar.text}` : 'no bar');
function judge(bar, value) {
  if (!bar || !Number.isFinite(value)) return '';
  const ok = bar.min !== undefined ? value >= bar.min : value <= bar.max;
  return ok ? 'PASS' : 'MISS';
}

/**
 * A/B scenario: warm-up of both, then `rounds` rounds in alternating order
 * (AB, BA, AB, ...); the ratio of each round is A's requests/s over B's. An
 * optional C (a reference, never judged) is measured in every round too, so
 * that A/C and C/B come from the same moments as A/B.
 */
async function abScenario({ id, title, a, b, c, bar, note, seconds = cfg.seconds }) {
  say(`\n=== ${title}`);
  say(
    `    A = ${a.label}: ${a.what}\n    B = ${b.label}: ${b.what}\n${c ? `    C = ${c.label} (reference, not judged): ${c.what}\n` : ''}    ${cfg.rounds} rounds × ${seconds} s each, ${a.connections ?? cfg.connections} connections, pipelining 1; bar: ${barText(bar)}`,
  );
  if (note) say(`    note: ${note}`);
  const background = await backgroundLoad();
  say(`    machine busy with our servers idle (other users): ${fmt(background, 2)} cores`);
  const sides = c ? [a, b, c] : [a, b];
  for (const side of sides) for (const p of side.procs) resetPeakRss(p.pid);
  if (cfg.warmup > 0) {
    for (const side of sides) await measure(side, cfg.warmup);
  }
  // "rest of machine": busy cores not used by the servers, the load generator or MariaDB during
  // the round: other users, and the kernel's loopback networking (softirq) for our own traffic.
  const rows = [
    [
      'round',
      'order',
      `${a.label} req/s`,
      `${b.label} req/s`,
      'ratio A/B',
      ...(c ? [`${c.label} req/s`, 'C/B', 'A/C'] : []),
      'rest of machine (cores)',
    ],
  ];
  const ra = [];
  const rb = [];
  const rc = [];
  const ratios = [];
  const names = new Map([
    [a, 'A'],
    [b, 'B'],
  ]);
  if (c) names.set(c, 'C');
  // Two sides alternate AB, BA. With C, A and B stay next to each other (the judged
  // ratio keeps its moments close) and take turns first, C before or after them.
  const orders = c
    ? [[a, b, c], [b, a, c], [c, a, b], [c, b, a]]
    : [[a, b], [b, a]];
  for (let round = 0; round < cfg.rounds; round++) {
    const order = orders[round % orders.length];
    const got = new Map();
    for (const side of order) got.set(side, await measure(side, seconds));
    const x = got.get(a);
    const y = got.get(b);
    const z = got.get(c);
    ra.push(x);
    rb.push(y);
    if (z) rc.push(z);
    ratios.push(x.rps / y.rps);
    rows.push([
      String(round + 1),
      order.map((side) => names.get(side)).join(''),
      fmt(x.rps, 0),
      fmt(y.rps, 0),
      fmt(x.rps / y.rps, 2),
      ...(z ? [fmt(z.rps, 0), fmt(z.rps / y.rps, 2), fmt(x.rps / z.rps, 2)] : []),
      [x, y, z].filter(Boolean).map((r) => fmt(r.otherCores, 2)).join(' / '),
    ]);
  }
  say(table(rows));
  const side = (label, rs) => ({
    label,
    rps: rs.map((r) => r.rps),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    cpuPerReq: median(rs.map((r) => r.cpuPerReq)),
    cores: median(rs.map((r) => r.cores)),
    dbCpuPerReq: median(rs.map((r) => r.dbCpuPerReq)),
    peakMb: max(rs.map((r) => r.peakMb)),
    non2xx: rs.reduce((s, r) => s + r.non2xx + (r.errors ?? 0) + (r.timeouts ?? 0), 0),
    total: rs.reduce((s, r) => s + r.total, 0),
    firstFailure: rs.find((r) => r.firstFailure)?.firstFailure,
    loadgenCores: median(rs.map((r) => r.loadgenCores)),
    otherCores: median(rs.map((r) => r.otherCores)),
  });
  const A = side(a.label, ra);
  const B = side(b.label, rb);
  const C = c ? side(c.label, rc) : undefined;
  const all = [A, B, C].filter(Boolean);
  const ratio = median(ratios);
  const row = (title, f) => [title, ...all.map(f)];
  say(
    table([
      ['', ...all.map((s) => s.label)],
      row('req/s median (min–max)', (s) => spread(s.rps)),
      row('latency p50 / p99 ms', (s) => `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)}`),
      row('server CPU ms/request', (s) => fmt(s.cpuPerReq, 3)),
      row('server CPU (cores busy)', (s) => fmt(s.cores, 2)),
      row('MariaDB CPU ms/request', (s) => fmt(s.dbCpuPerReq, 3)),
      row('peak RSS MB', (s) => fmt(s.peakMb, 0)),
      row('load generator (cores)', (s) => fmt(s.loadgenCores, 2)),
      row('failed responses', (s) => `${s.non2xx} of ${s.total}`),
    ]),
  );
  for (const s of all) if (s.firstFailure) say(`    first failure of ${s.label}: ${s.firstFailure}`);
  say(
    `resident now: ${sides
      .flatMap((s) => s.procs.map((p) => `${p.name} ${fmt(memoryMb(p.pid).rssMb, 0)} MB`))
      .join(', ')}`,
  );
  const verdict = judge(bar, ratio);
  say(`ratio A/B per round: ${ratios.map((r) => fmt(r, 2)).join(', ')}`);
  say(`ratio median ${fmt(ratio, 2)} (${fmt(min(ratios), 2)}–${fmt(max(ratios), 2)})   bar ${barText(bar)}   ${verdict || ''}`);
  let reference;
  if (C) {
    const cb = rc.map((z, i) => z.rps / rb[i].rps);
    const ac = ra.map((x, i) => x.rps / rc[i].rps);
    // How many rounds the reference itself reaches A's bar in (the unrounded ratio, as judge() reads A's).
    const floorMeets = bar?.min !== undefined ? cb.filter((r) => r >= bar.min).length : undefined;
    reference = { cb, ac, cbRatio: median(cb), acRatio: median(ac), floorMeets };
    say(
      `ratio C/B per round: ${cb.map((r) => fmt(r, 2)).join(', ')}; median ${fmt(reference.cbRatio, 2)} (${fmt(min(cb), 2)}–${fmt(max(cb), 2)})` +
        (floorMeets !== undefined ? `; C reaches the bar in ${floorMeets} of ${cb.length} rounds` : ''),
    );
    say(`ratio A/C per round: ${ac.map((r) => fmt(r, 2)).join(', ')}; median ${fmt(reference.acRatio, 2)} (${fmt(min(ac), 2)}–${fmt(max(ac), 2)})`);
  }
  const result = {
    id,
    title,
    kind: 'ab',
    seconds,
    A,
    B,
    C,
    reference,
    ratios,
    ratio,
    bar,
    verdict,
    note,
    background,
    rounds: { a: ra, b: rb, c: c ? rc : undefined },
  };
  results.push(result);
  return result;
}

// ---------------------------------------------------------------------------
// The servers.

async function startTesseraPhase(alg, dist) {
  const dbName = `tessera_bench_${process.pid}_${alg.toLowerCase()}`;
  const databaseUrl = await createDatabase(dbName);
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const secrets = {
    adminUsername: 'bench',
    adminPassword: `Bench-${randomBytes(18).toString('base64url')}`,
    consoleSecret: randomBytes(24).toString('base64url'),
  };
  const tesseraEnv = childEnv({
    PORT: String(port),
    ISSUER_URL: issuer,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    BOOTSTRAP_ADMIN_USERNAME: secrets.adminUsername,
    BOOTSTRAP_ADMIN_PASSWORD: secrets.adminPassword,
    BOOTSTRAP_CLIENT_ID: 'console',
    BOOTSTRAP_CLIENT_SECRET: secrets.consoleSecret,
    SIGNING_KEY_ALGORITHM: alg,
  });
  const logFile = path.join(runDir, 'logs', `tessera-${alg}.log`);
  // The client_credentials client, made by the operator CLI before the server starts (it migrates the new database).
  const ccSecret = await createBenchClient(dist, { env: tesseraEnv, cwd: ROOT, logFile: path.join(runDir, 'logs', `cli-${alg}.log`) });
  const tessera = startProcess(
    'tessera',
    process.execPath,
    [...nodeFlags(`tessera-${alg}`), path.join(dist, 'apps/identity-server/src/main.js')],
    { env: tesseraEnv, cwd: ROOT, logFile },
  );
  await waitForHttp(`${issuer}/health/ready`, tessera, 120_000);
  const startupPeakMb = memoryMb(tessera.pid).peakMb;

  const peerPort = await freePort();
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const peer = startProcess('oidc-provider', process.execPath, [...nodeFlags(`peer-${alg}`), path.join(ROOT, 'bench/servers/oidc-provider.mjs')], {
    env: childEnv({
      PEER_PORT: String(peerPort),
      PEER_ALG: alg,
      PEER_AUDIENCE: 'tessera',
      PEER_USERNAME: secrets.adminUsername,
      PEER_PASSWORD: secrets.adminPassword,
      PEER_CLIENTS: JSON.stringify([
        { client_id: 'bench-cc', client_secret: ccSecret, grant_types: ['client_credentials'], scope: 'orders:read orders:write' },
        { client_id: 'console', client_secret: secrets.consoleSecret, grant_types: ['password', 'refresh_token'], scope: 'orders:read orders:write' },
      ]),
    }),
    cwd: ROOT,
    logFile: path.join(runDir, 'logs', `peer-${alg}.log`),
  });
  await waitForHttp(`${peerUrl}/jwks`, peer, 60_000);
  say(`\n--- phase ${alg}: Tessera ${issuer} (pid ${tessera.pid}, database ${dbName}), oidc-provider ${peerUrl} (pid ${peer.pid})`);
  say(`    Tessera peak RSS after start: ${fmt(startupPeakMb, 0)} MB`);
  return {
    alg,
    dist,
    tessera,
    peer,
    issuer,
    peerUrl,
    startupPeakMb,
    cc: basicAuth('bench-cc', ccSecret),
    ccSecret,
    console: basicAuth('console', secrets.consoleSecret),
    secrets,
    extra: [],
  };
}

async function stopPhase(phase) {
  for (const p of [...phase.extra, phase.peer, phase.tessera]) await p.stop(20_000);
}

async function startAux(phase, name, script, extraEnv, readyPath) {
  const port = await freePort();
  const proc = startProcess(name, process.execPath, [...nodeFlags(`${name}-${phase.alg}`), path.join(ROOT, script)], {
    env: childEnv({ ...extraEnv(port) }),
    cwd: ROOT,
    logFile: path.join(runDir, 'logs', `${name}-${phase.alg}.log`),
  });
  await waitForHttp(`http://127.0.0.1:${port}${readyPath}`, proc, 60_000);
  phase.extra.push(proc);
  return { proc, url: `http://127.0.0.1:${port}` };
}

// ---------------------------------------------------------------------------
// The scenarios.

const ccBody = 'grant_type=client_credentials&scope=orders%3Aread';

function ccSide(label, url, auth, procs, db) {
  return {
    label,
    what: `POST ${new URL(url).pathname} grant_type=client_credentials`,
    procs,
    db,
    load: (seconds) =>
      autocannonRun({
        url,
        method: 'POST',
        headers: { authorization: auth, 'content-type': FORM },
        body: ccBody,
        connections: cfg.connections,
        seconds,
      }),
  };
}

async function clientCredentials(phase) {
  const t = await postForm(`${phase.issuer}/oauth/token`, phase.cc, { grant_type: 'client_credentials', scope: 'orders:read' });
  const p = await postForm(`${phase.peerUrl}/token`, phase.cc, { grant_type: 'client_credentials', scope: 'orders:read' });
  for (const [who, tok] of [['Tessera', t.access_token], ['oidc-provider', p.access_token]]) {
    const h = jwtHeader(tok);
    if (h.alg !== phase.alg || h.typ !== 'at+jwt') throw new Error(`${who} signed ${JSON.stringify(h)}, expected ${phase.alg} at+jwt`);
  }
  const bar = phase.alg === 'RS256' ? { text: '≥ 1.5× oidc-provider', min: 1.5 } : { text: '≥ 1.2× oidc-provider', min: 1.2 };
  // For RS256, the floor of any Node.js token server on this machine runs beside the two.
  const floor =
    phase.alg === 'RS256'
      ? await startAux(
          phase,
          'rs256-floor',
          'bench/servers/rs256-floor.mjs',
          (port) => ({
            FLOOR_PORT: String(port),
            FLOOR_ISSUER: phase.issuer,
            FLOOR_CLIENT_ID: 'bench-cc',
            FLOOR_CLIENT_SECRET: phase.ccSecret,
          }),
          '/health',
        )
      : undefined;
  if (floor) {
    const f = await postForm(`${floor.url}/`, phase.cc, { grant_type: 'client_credentials', scope: 'orders:read' });
    const h = jwtHeader(f.access_token);
    if (h.alg !== 'RS256' || h.typ !== 'at+jwt') throw new Error(`the RS256 floor signed ${JSON.stringify(h)}`);
  }
  const result = await abScenario({
    id: `cc-${phase.alg.toLowerCase()}`,
    title: `client_credentials, ${phase.alg}`,
    a: ccSide('Tessera', `${phase.issuer}/oauth/token`, phase.cc, [phase.tessera], true),
    b: ccSide('oidc-provider', `${phase.peerUrl}/token`, phase.cc, [phase.peer], false),
    c: floor && {
      ...ccSide('RS256 floor', `${floor.url}/`, phase.cc, [floor.proc], false),
      what: 'bench/servers/rs256-floor.mjs: bare node:http, form, constant-time client check, the same claims, RS256 on the pool, no database',
    },
    bar,
  });
  if (floor) {
    await floor.proc.stop();
    phase.extra = phase.extra.filter((p) => p !== floor.proc);
  }
  const ceiling = primitives?.rs256PoolSignsPerSecond;
  if (phase.alg === 'RS256' && ceiling) {
    // Where the bar stands against what signing alone allows on this machine.
    const needed = bar.min * median(result.B.rps);
    result.signingCeiling = { ceiling, tessera: median(result.A.rps) / ceiling, needed: needed / ceiling };
    say(
      `    against RS256 signing alone (${Math.round(ceiling)}/s): Tessera ${fmt(100 * result.signingCeiling.tessera, 0)}%, ` +
        `the bar needs ${fmt(100 * result.signingCeiling.needed, 0)}% (${Math.round(needed)}/s)` +
        (result.signingCeiling.needed >= 1 ? ': beyond what signing alone allows' : ''),
    );
  }
  return result;
}

function introspectSide(label, url, auth, token, procs, db) {
  return {
    label,
    what: `POST ${new URL(url).pathname} token=<its own JWT access token>`,
    procs,
    db,
    load: (seconds) =>
      autocannonRun({
        url,
        method: 'POST',
        headers: { authorization: auth, 'content-type': FORM },
        body: `token=${encodeURIComponent(token)}`,
        connections: cfg.connections,
        seconds,
      }),
  };
}

async function introspection(phase, { opaquePeer }) {
  const t = (await postForm(`${phase.issuer}/oauth/token`, phase.cc, { grant_type: 'client_credentials', scope: 'orders:read' })).access_token;
  const p = (
    await postForm(`${phase.peerUrl}/token`, phase.cc, {
      grant_type: 'client_credentials',
      scope: 'orders:read',
      ...(opaquePeer ? { resource: 'urn:tessera:bench:opaque' } : {}),
    })
  ).access_token;
  const tAnswer = await postForm(`${phase.issuer}/oauth/introspect`, phase.cc, { token: t });
  const pAnswer = await postForm(`${phase.peerUrl}/token/introspection`, phase.cc, { token: p });
  if (tAnswer.active !== true) throw new Error(`Tessera introspects its own token as ${JSON.stringify(tAnswer)}`);
  const note = `answers: Tessera ${JSON.stringify({ active: tAnswer.active })}, oidc-provider ${JSON.stringify({ active: pAnswer.active })}${
    pAnswer.active ? '' : ' (oidc-provider does not store JWT access tokens, so it cannot introspect them: it answers after a lookup miss)'
  }`;
  const peerSide = introspectSide('oidc-provider', `${phase.peerUrl}/token/introspection`, phase.cc, p, [phase.peer], false);
  if (opaquePeer) peerSide.what = 'POST /token/introspection token=<its own opaque access token> (the kind it can introspect)';
  return abScenario({
    id: opaquePeer ? 'introspection-opaque' : 'introspection',
    title: opaquePeer
      ? 'introspection: Tessera JWT vs oidc-provider opaque access token (information)'
      : 'introspection of a JWT access token',
    a: introspectSide('Tessera', `${phase.issuer}/oauth/introspect`, phase.cc, t, [phase.tessera], true),
    b: peerSide,
    bar: opaquePeer ? undefined : { text: '≥ 1.0× oidc-provider', min: 1.0 },
    note,
  });
}

async function jwks(phase) {
  const side = (label, url, procs) => ({
    label,
    what: `GET ${new URL(url).pathname}`,
    procs,
    load: (seconds) => autocannonRun({ url, connections: cfg.connections, seconds }),
  });
  return abScenario({
    id: 'jwks',
    title: 'JWKS',
    a: side('Tessera', `${phase.issuer}/.well-known/jwks.json`, [phase.tessera]),
    b: side('oidc-provider', `${phase.peerUrl}/jwks`, [phase.peer]),
  });
}

/**
 * Refresh with rotation: every request needs the refresh token the previous
 * answer returned. Before each round, `connections + 4` chains are started with
 * password grants (not measured); during the round a shared pool hands each
 * request a live token and takes back the successor from each answer.
 */
function refreshSide(label, base, tokenPath, phase, procs, db) {
  const url = `${base}${tokenPath}`;
  return {
    label,
    what: `POST ${tokenPath} grant_type=refresh_token (a fresh token each time)`,
    procs,
    db,
    prepare: () =>
      pool(cfg.connections + 4, 4, async () => {
        const r = await postForm(url, phase.console, {
          grant_type: 'password',
          username: phase.secrets.adminUsername,
          password: phase.secrets.adminPassword,
          scope: 'orders:read',
        });
        return r.refresh_token;
      }),
    load: (seconds, tokens) => {
      const live = [...tokens];
      return autocannonRun({
        url,
        method: 'POST',
        headers: { authorization: phase.console, 'content-type': FORM },
        connections: cfg.connections,
        seconds,
        requests: [
          {
            setupRequest: (req) => {
              const token = live.shift() ?? 'pool-empty';
              req.body = `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`;
              return req;
            },
            onResponse: (status, body) => {
              if (status === 200) live.push(JSON.parse(body).refresh_token);
            },
          },
        ],
      });
    },
  };
}

async function refresh(phase) {
  return abScenario({
    id: 'refresh',
    title: 'refresh_token with rotation (Tessera on MariaDB, oidc-provider in memory)',
    a: refreshSide('Tessera', phase.issuer, '/oauth/token', phase, [phase.tessera], true),
    b: refreshSide('oidc-provider', phase.peerUrl, '/token', phase, [phase.peer], false),
    bar: { text: '≥ 0.8× oidc-provider', min: 0.8 },
  });
}

async function password(phase) {
  const bcryptAlone = await startAux(
    phase,
    'bcrypt-alone',
    'bench/servers/bcrypt-alone.mjs',
    (port) => ({ BCRYPT_PORT: String(port), BENCH_PASSWORD: phase.secrets.adminPassword }),
    '/',
  );
  const body = new URLSearchParams({
    grant_type: 'password',
    username: phase.secrets.adminUsername,
    password: phase.secrets.adminPassword,
    scope: 'orders:read',
  }).toString();
  const side = (label, what, url, auth, procs, db) => ({
    label,
    what,
    procs,
    db,
    load: (seconds) =>
      autocannonRun({
        url,
        method: 'POST',
        headers: { authorization: auth, 'content-type': FORM },
        body,
        connections: cfg.connections,
        seconds,
      }),
  });
  const result = await abScenario({
    id: 'password',
    title: 'password grant vs bcrypt alone (cost 11, the default)',
    a: side('Tessera', 'POST /oauth/token grant_type=password', `${phase.issuer}/oauth/token`, phase.console, [phase.tessera], true),
    b: side('bcrypt alone', 'node:http + bcrypt.compare at the same cost, same thread pool size', `${bcryptAlone.url}/`, phase.console, [bcryptAlone.proc], false),
    bar: { text: '≥ 0.9× bcrypt alone', min: 0.9 },
    seconds: cfg.passwordSeconds,
  });
  await bcryptAlone.proc.stop();
  phase.extra = phase.extra.filter((p) => p !== bcryptAlone.proc);
  return result;
}

async function userToken(phase) {
  return (
    await postForm(`${phase.issuer}/oauth/token`, phase.console, {
      grant_type: 'password',
      username: phase.secrets.adminUsername,
      password: phase.secrets.adminPassword,
      scope: 'orders:read orders:write',
    })
  ).access_token;
}

async function guardedSample(phase) {
  phase.sample ??= await startAux(
    phase,
    'sample-guard',
    'bench/servers/sample-me.mjs',
    (port) => ({
      SAMPLE_PORT: String(port),
      SAMPLE_MODE: 'guard',
      BENCH_DIST: phase.dist,
      ISSUER_URL: phase.issuer,
      SAMPLE_JWKS_URI: `${phase.issuer}/.well-known/jwks.json`,
    }),
    '/health',
  );
  return phase.sample;
}

async function guard(phase) {
  const token = await userToken(phase);
  const guarded = await guardedSample(phase);
  const open = await startAux(
    phase,
    'sample-noguard',
    'bench/servers/sample-me.mjs',
    (port) => ({ SAMPLE_PORT: String(port), SAMPLE_MODE: 'none', BENCH_DIST: phase.dist, SAMPLE_TOKEN: token }),
    '/me',
  );
  const headers = { authorization: `Bearer ${token}` };
  const bodies = [await getOk(`${guarded.url}/me`, headers), await getOk(`${open.url}/me`, headers)];
  if (bodies[0] !== bodies[1]) throw new Error(`GET /me differs:\n${bodies[0]}\n${bodies[1]}`);
  const side = (label, what, url, procs) => ({
    label,
    what,
    procs,
    load: (seconds) => autocannonRun({ url, headers, connections: cfg.connections, seconds }),
  });
  const result = await abScenario({
    id: 'guard',
    title: 'sample service GET /me: through libs/auth-guard vs the same route without the guard',
    a: side('guarded', 'apps/sample-service (createSampleApp), bearer token checked against the JWKS', `${guarded.url}/me`, [guarded.proc]),
    b: side('no guard', 'the same MeController in a Nest app without AuthGuardModule', `${open.url}/me`, [open.proc]),
    bar: { text: '≥ 0.8× without the guard', min: 0.8 },
  });
  await open.proc.stop();
  phase.extra = phase.extra.filter((p) => p !== open.proc);
  return result;
}

/**
 * The mixed run: steady client_credentials traffic (to Tessera) and GET /me
 * traffic (to the guarded sample service) at fixed rates, alone and under a
 * flood of password grants (closed loop, BENCH_FLOOD_CONNECTIONS). Rounds
 * alternate baseline and flood; p50/p99 of each are compared.
 */
async function mixed(phase) {
  const token = await userToken(phase);
  const sample = await guardedSample(phase);
  const ccMedian = results.find((r) => r.id === 'cc-rs256')?.A.rps;
  const meMedian = results.find((r) => r.id === 'guard')?.A.rps;
  const ccRate = cfg.mixedCcRate || (ccMedian ? Math.max(10, Math.round(median(ccMedian) * 0.25)) : 100);
  const meRate = cfg.mixedMeRate || (meMedian ? Math.max(10, Math.round(median(meMedian) * 0.25)) : 300);
  const floodBody = new URLSearchParams({
    grant_type: 'password',
    username: phase.secrets.adminUsername,
    password: phase.secrets.adminPassword,
    scope: 'orders:read',
  }).toString();

  say(`\n=== mixed: password-grant flood vs steady client_credentials and GET /me traffic`);
  say(
    `    steady: ${ccRate} req/s POST /oauth/token client_credentials to Tessera, ${meRate} req/s GET /me to the guarded sample service (open loop, latency from the scheduled send time)\n    flood: ${cfg.floodConnections} connections of password grants to Tessera, closed loop\n    ${cfg.rounds} rounds of each × ${cfg.seconds} s, alternating; bar: p99 under the flood ≤ 3× p99 without`,
  );
  const background = await backgroundLoad();
  say(`    machine busy with our servers idle (other users): ${fmt(background, 2)} cores`);
  for (const p of [phase.tessera, sample.proc]) resetPeakRss(p.pid);

  const steady = (seconds) =>
    Promise.all([
      pacedRun({
        url: phase.issuer,
        rate: ccRate,
        seconds,
        makeRequest: () => ({
          method: 'POST',
          path: '/oauth/token',
          headers: { authorization: phase.cc, 'content-type': FORM, 'content-length': Buffer.byteLength(ccBody) },
          body: ccBody,
        }),
      }),
      pacedRun({
        url: sample.url,
        rate: meRate,
        seconds,
        makeRequest: () => ({ method: 'GET', path: '/me', headers: { authorization: `Bearer ${token}` } }),
      }),
    ]);
  const side = {
    label: 'mixed',
    procs: [phase.tessera, sample.proc],
    db: true,
    load: async (seconds, _prepared, withFlood) => {
      let flood;
      if (withFlood) {
        flood = autocannonRun({
          url: `${phase.issuer}/oauth/token`,
          method: 'POST',
          headers: { authorization: phase.console, 'content-type': FORM },
          body: floodBody,
          connections: cfg.floodConnections,
          seconds: seconds + 2,
        });
        // Let the flood fill the thread pool before the steady traffic is measured.
        await new Promise((r) => setTimeout(r, 1000));
      }
      const [cc, me] = await steady(seconds);
      const f = flood ? await flood : undefined;
      return {
        cc,
        me,
        flood: f,
        seconds: cc.seconds,
        total: cc.total + me.total + (f?.total ?? 0),
        sent: cc.total + me.total + (f?.sent ?? 0),
        non2xx: cc.non2xx + me.non2xx,
      };
    },
  };
  if (cfg.warmup > 0) await measure(side, cfg.warmup, false);
  const base = [];
  const flooded = [];
  const rows = [['round', 'kind', 'cc p50', 'cc p99', '/me p50', '/me p99', 'password req/s', 'Tessera+sample cores', 'load gen lag p99', 'failed']];
  for (let round = 0; round < cfg.rounds; round++) {
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const withFlood of order) {
      const r = await measure(side, cfg.seconds, withFlood);
      (withFlood ? flooded : base).push(r);
      rows.push([
        String(round + 1),
        withFlood ? 'flood' : 'baseline',
        fmt(r.cc.p50, 1),
        fmt(r.cc.p99, 1),
        fmt(r.me.p50, 1),
        fmt(r.me.p99, 1),
        r.flood ? fmt(r.flood.rps, 1) : '-',
        fmt(r.cores, 2),
        `${fmt(r.loadgenLagP99, 1)} ms`,
        `${r.cc.non2xx + r.me.non2xx}`,
      ]);
    }
  }
  say(table(rows));
  const pick = (rs, k, p) => median(rs.map((r) => r[k][p]));
  const ccRatio = pick(flooded, 'cc', 'p99') / pick(base, 'cc', 'p99');
  const meRatio = pick(flooded, 'me', 'p99') / pick(base, 'me', 'p99');
  const bar = { text: 'flood p99 ≤ 3× baseline p99', max: 3 };
  const summary = [
    ['traffic', 'baseline p50 / p99 ms', 'flood p50 / p99 ms', 'p99 ratio', 'bar', ''],
    [
      'client_credentials (Tessera)',
      `${fmt(pick(base, 'cc', 'p50'), 1)} / ${fmt(pick(base, 'cc', 'p99'), 1)}`,
      `${fmt(pick(flooded, 'cc', 'p50'), 1)} / ${fmt(pick(flooded, 'cc', 'p99'), 1)}`,
      fmt(ccRatio, 2),
      bar.text,
      judge(bar, ccRatio),
    ],
    [
      'GET /me (sample service)',
      `${fmt(pick(base, 'me', 'p50'), 1)} / ${fmt(pick(base, 'me', 'p99'), 1)}`,
      `${fmt(pick(flooded, 'me', 'p50'), 1)} / ${fmt(pick(flooded, 'me', 'p99'), 1)}`,
      fmt(meRatio, 2),
      bar.text,
      judge(bar, meRatio),
    ],
  ];
  say(table(summary));
  const floodRps = flooded.map((r) => r.flood.rps);
  say(
    `password grants under the flood: ${spread(floodRps, 1)} req/s; Tessera+sample peak RSS ${fmt(max([...base, ...flooded].map((r) => r.peakMb)), 0)} MB; failed steady requests ${[...base, ...flooded].reduce((s, r) => s + r.non2xx, 0)}`,
  );
  const failure = [...base, ...flooded].map((r) => r.cc.firstFailure ?? r.me.firstFailure).find(Boolean);
  if (failure) say(`    first failure: ${failure}`);
  const tesseraPeak = memoryMb(phase.tessera.pid).peakMb;
  const result = {
    id: 'mixed',
    title: 'mixed run',
    kind: 'mixed',
    ccRate,
    meRate,
    floodConnections: cfg.floodConnections,
    background,
    baseline: { cc: { p50: pick(base, 'cc', 'p50'), p99: pick(base, 'cc', 'p99') }, me: { p50: pick(base, 'me', 'p50'), p99: pick(base, 'me', 'p99') } },
    flood: { cc: { p50: pick(flooded, 'cc', 'p50'), p99: pick(flooded, 'cc', 'p99') }, me: { p50: pick(flooded, 'me', 'p50'), p99: pick(flooded, 'me', 'p99') } },
    floodRps,
    ccRatio,
    meRatio,
    bar,
    verdicts: { cc: judge(bar, ccRatio), me: judge(bar, meRatio) },
    tesseraPeakMb: tesseraPeak,
    rounds: { base, flooded },
  };
  results.push(result);
  return result;
}

// ---------------------------------------------------------------------------
// The run.

async function build() {
  if (cfg.dist) {
    say(`using the compiled tree ${cfg.dist} (BENCH_DIST); no build`);
    return cfg.dist;
  }
  if (!cfg.skipBuild) {
    say('building: npm run build');
    await runCommand('npm', ['run', 'build'], { cwd: ROOT, env, logFile: path.join(runDir, 'logs', 'build.log'), timeoutMs: 600_000 });
  } else say('BENCH_SKIP_BUILD=1: using the existing dist/');
  // A private copy: other engineers' `npm test` rebuilds dist/ (rm -rf) while a bench may be running.
  const snapshot = path.join(runDir, 'dist');
  const needed = [
    'apps/identity-server/src/main.js',
    'apps/identity-server/src/cli.js',
    'apps/sample-service/src/app.factory.js',
    'apps/sample-service/src/me.controller.js',
    'libs/auth-guard/src/principal.js',
  ];
  for (let attempt = 1; ; attempt++) {
    rmSync(snapshot, { recursive: true, force: true });
    try {
      cpSync(path.join(ROOT, 'dist'), snapshot, { recursive: true });
    } catch {
      // dist/ vanished under us: someone rebuilt it; retry below
    }
    if (needed.every((f) => existsSync(path.join(snapshot, f)))) return snapshot;
    if (attempt >= 3) throw new Error('dist/ is incomplete (is another build running?); run `npm run build` and retry');
    say('dist/ incomplete (a concurrent build?); retrying in 20 s');
    await new Promise((r) => setTimeout(r, 20_000));
  }
}

function printSummary() {
  say('\n=== summary');
  const rows = [['scenario', 'A req/s median (min–max)', 'B req/s median (min–max)', 'ratio A/B median (min–max)', 'A p50/p99 ms', 'B p50/p99 ms', 'CPU ms/req A / B', 'peak RSS MB A / B', 'bar', 'result']];
  for (const r of results.filter((x) => x.kind === 'ab')) {
    rows.push([
      `${r.title} — A ${r.A.label}, B ${r.B.label}`,
      spread(r.A.rps),
      spread(r.B.rps),
      `${fmt(r.ratio, 2)} (${fmt(min(r.ratios), 2)}–${fmt(max(r.ratios), 2)})`,
      `${fmt(r.A.p50, 1)} / ${fmt(r.A.p99, 1)}`,
      `${fmt(r.B.p50, 1)} / ${fmt(r.B.p99, 1)}`,
      `${fmt(r.A.cpuPerReq, 3)} / ${fmt(r.B.cpuPerReq, 3)}`,
      `${fmt(r.A.peakMb, 0)} / ${fmt(r.B.peakMb, 0)}`,
      r.bar ? r.bar.text : '—',
      r.verdict || '—',
    ]);
  }
  const m = results.find((x) => x.kind === 'mixed');
  const mixedRows = m
    ? [
        ['mixed run traffic', 'baseline p50 / p99 ms', 'under flood p50 / p99 ms', 'p99 ratio', 'bar', 'result'],
        ['client_credentials', `${fmt(m.baseline.cc.p50, 1)} / ${fmt(m.baseline.cc.p99, 1)}`, `${fmt(m.flood.cc.p50, 1)} / ${fmt(m.flood.cc.p99, 1)}`, fmt(m.ccRatio, 2), m.bar.text, m.verdicts.cc],
        ['GET /me', `${fmt(m.baseline.me.p50, 1)} / ${fmt(m.baseline.me.p99, 1)}`, `${fmt(m.flood.me.p50, 1)} / ${fmt(m.flood.me.p99, 1)}`, fmt(m.meRatio, 2), m.bar.text, m.verdicts.me],
      ]
    : null;
  // Memory: the identity server's peak RSS under any scenario.
  const tesseraPeaks = [
    ...results.filter((x) => x.kind === 'ab' && x.A.label === 'Tessera').map((x) => x.A.peakMb),
    ...(m ? [m.tesseraPeakMb] : []),
  ];
  const peak = max(tesseraPeaks);
  const memBar = { text: '≤ 300 MB', max: 300 };
  const memRow = ['identity server peak RSS, any scenario', `${fmt(peak, 0)} MB`, memBar.text, judge(memBar, peak)];
  say(table(rows));
  if (mixedRows) say(`\n${table(mixedRows)}`);
  say(`\n${table([['memory', 'measured', 'bar', 'result'], memRow])}`);
}

/**
 * The floor under the scenarios, measured on this machine in this run: the CPU
 * cost of one RS256 and one ES256 signature, one RS256 verification, and one
 * bcrypt comparison at the default cost (synchronous, on one core).
 */
async function primitiveCosts() {
  const { generateKeyPairSync, sign, verify } = await import('node:crypto');
  const bcrypt = (await import('bcrypt')).default;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.alloc(400, 7);
  const rsaSig = sign('sha256', data, rsa.privateKey);
  const perOp = (fn, ms) => {
    const start = process.cpuUsage();
    const until = performance.now() + ms;
    let n = 0;
    while (performance.now() < until) {
      fn();
      n++;
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000 / n;
  };
  const hash = bcrypt.hashSync('a-bench-password-1', 11);
  const costs = {
    rs256SignMs: perOp(() => sign('sha256', data, rsa.privateKey), 1000),
    es256SignMs: perOp(() => sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }), 500),
    rs256VerifyMs: perOp(() => verify('sha256', data, rsa.publicKey, rsaSig), 500),
    bcrypt11CompareMs: perOp(() => bcrypt.compareSync('a-bench-password-1', hash), 1500),
  };
  // What RS256 signatures alone reach on this machine at the start of the run:
  // asynchronous on libuv's pool (as both servers sign), as many in flight as the load
  // generator has connections.
  {
    const start = process.cpuUsage();
    const began = performance.now();
    const until = began + 2000;
    let n = 0;
    const lane = async () => {
      while (performance.now() < until) {
        await new Promise((resolve, reject) =>
          sign('sha256', data, rsa.privateKey, (error) => (error ? reject(error) : resolve())),
        );
        n++;
      }
    };
    await Promise.all(Array.from({ length: cfg.connections }, lane));
    const used = process.cpuUsage(start);
    costs.rs256PoolSignsPerSecond = n / ((performance.now() - began) / 1000);
    costs.rs256PoolSignCpuMs = (used.user + used.system) / 1000 / n;
  }
  say(
    `CPU cost on this machine (one core, synchronous): RS256 sign ${fmt(costs.rs256SignMs, 3)} ms, ES256 sign ${fmt(costs.es256SignMs, 3)} ms, RS256 verify ${fmt(costs.rs256VerifyMs, 3)} ms, bcrypt cost 11 compare ${fmt(costs.bcrypt11CompareMs, 1)} ms`,
  );
  say(
    `RS256 signatures alone on libuv's pool (${machine.uvThreadpoolSize} threads, ${cfg.connections} in flight, no HTTP): ${Math.round(costs.rs256PoolSignsPerSecond)}/s, ${fmt(costs.rs256PoolSignCpuMs, 3)} ms of CPU each, ${fmt((costs.rs256PoolSignsPerSecond * costs.rs256PoolSignCpuMs) / 1000, 2)} cores busy (at the start of the run: the host drifts, and the RS256 floor beside the scenario is the reference of its moment)`,
  );
  primitives = costs;
}

let primitives;

/** The commit the run measures, and whether the working tree differed from it. */
function sourceRevision() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const changed = git('status', '--porcelain', '--untracked-files=no');
    return `${git('rev-parse', '--short', 'HEAD')}${changed ? ' with uncommitted changes' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function main() {
  say(`Tessera benchmarks — ${new Date().toISOString()}`);
  say(
    `machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, node ${machine.node}, UV_THREADPOOL_SIZE ${machine.uvThreadpoolSize}`,
  );
  say(
    `settings: BENCH_ROUNDS=${cfg.rounds} BENCH_SECONDS=${cfg.seconds} BENCH_PASSWORD_SECONDS=${cfg.passwordSeconds} BENCH_WARMUP_SECONDS=${cfg.warmup} BENCH_CONNECTIONS=${cfg.connections} BENCH_FLOOD_CONNECTIONS=${cfg.floodConnections}${cfg.scenarios ? ` BENCH_SCENARIOS=${cfg.scenarios.join(',')}` : ''}${cfg.profile ? ' BENCH_PROFILE=1' : ''}`,
  );
  say(`raw output: ${path.relative(ROOT, runDir)}/`);
  say(`source: ${sourceRevision()}${cfg.skipBuild || cfg.dist ? ' (BENCH_SKIP_BUILD or BENCH_DIST: the servers run an earlier build)' : ''}`);
  const m0 = machineJiffies();
  await new Promise((r) => setTimeout(r, 2000));
  say(`machine busy before the run: ${fmt(busyCores(m0, machineJiffies(), machine.nproc), 2)} of ${machine.nproc} cores (other users)`);

  await primitiveCosts();
  const dist = await build();
  const phases = [
    { alg: 'RS256', ids: ['cc-rs256', 'introspection', 'introspection-opaque', 'jwks', 'refresh', 'password', 'guard', 'mixed'] },
    { alg: 'ES256', ids: ['cc-es256'] },
  ];
  for (const { alg, ids } of phases) {
    if (!ids.some(wanted)) continue;
    const phase = await startTesseraPhase(alg, dist);
    try {
      for (const id of ids) {
        if (!wanted(id)) continue;
        if (id.startsWith('cc-')) await clientCredentials(phase);
        else if (id === 'introspection') await introspection(phase, { opaquePeer: false });
        else if (id === 'introspection-opaque') await introspection(phase, { opaquePeer: true });
        else if (id === 'jwks') await jwks(phase);
        else if (id === 'refresh') await refresh(phase);
        else if (id === 'password') await password(phase);
        else if (id === 'guard') await guard(phase);
        else if (id === 'mixed') await mixed(phase);
      }
    } finally {
      await stopPhase(phase);
    }
  }
  printSummary();
  const everything = { stamp, machine, cfg, primitives, results };
  writeFileSync(path.join(runDir, 'results.json'), JSON.stringify(everything, null, 2));
  writeFileSync(path.join(runDir, 'summary.md'), renderMarkdown(everything));
  if (cfg.profile) say(`\nprofiles: ${path.relative(ROOT, path.join(runDir, 'profiles'))}/ (node bench/profile-summary.mjs <file>)`);
}

// Every load is bounded in time; this is the backstop for a hung step.
const perAb = cfg.warmup * 2 + cfg.rounds * cfg.seconds * 2 + 60;
const watchdog = setTimeout(
  () => {
    say('\nwatchdog: the run took far longer than planned; stopping');
    void cleanup().finally(() => process.exit(1));
  },
  (perAb * ALL_SCENARIOS.length + 900) * 1000 * 2,
);

let exitCode = 0;
try {
  await main();
} catch (error) {
  say(`\nbench failed: ${error.stack ?? error}`);
  exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(watchdog);
  say(`\nchildren stopped, databases dropped. Output kept in ${path.relative(ROOT, runDir)}/`);
  output.end(() => process.exit(exitCode));
}
