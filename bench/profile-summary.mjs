// Summarises V8 CPU profiles (`node --cpu-prof`) as text: where the main
// thread's time went, by function (self and inclusive) and by package.
// Thread-pool work (bcrypt, crypto.sign's asynchronous form) is not in these
// profiles: it runs off the main thread; its cost shows as the process's CPU
// beyond the main thread's busy time.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [...more] [--top N] [--match REGEX] [--from SECONDS]
//
// --from leaves out the first SECONDS of each profile (the server's start-up).
// --match lists the inclusive time of every frame whose "name file:line"
// matches REGEX (default: Tessera's own code under apps/ and libs/).
import { readFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const TOP = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 25;
const fromIndex = args.indexOf('--from');
// Seconds at the start of the profile to leave out (the server's own start-up).
const FROM_MS = fromIndex >= 0 ? Number(args.splice(fromIndex, 2)[1]) * 1000 : 0;
const matchIndex = args.indexOf('--match');
// Frames whose key matches: their inclusive time is listed in full (default: the app's own code).
const MATCH = new RegExp(matchIndex >= 0 ? args.splice(matchIndex, 2)[1] : '(^|\\s)(apps|libs)/');
if (args.length === 0) {
  process.stderr.write('usage: node bench/profile-summary.mjs <file.cpuprofile> [...] [--top N] [--match REGEX] [--from SECONDS]\n');
  process.exit(2);
}

/** Where a frame's code lives: an npm package, a node built-in, the app, or a V8 pseudo-frame. */
function owner(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const m = /(apps|libs)\/([^/]+)\/src\/(.*)$/.exec(url);
  if (m) return `${m[1]}/${m[2]}`;
  return path.basename(url);
}

function frameKey({ functionName, url, lineNumber }) {
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const short = url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*\/(apps|libs)\//, '$1/');
  return `${name} ${short}:${lineNumber + 1}`;
}

function summarise(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map();
  const inclusive = new Map();
  const packages = new Map();
  const responsible = new Map();
  let total = 0;
  let idle = 0;
  const add = (map, key, v) => map.set(key, (map.get(key) ?? 0) + v);

  let clock = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000; // µs → ms
    clock += dt;
    if (dt <= 0 || clock < FROM_MS) return;
    const node = byId.get(id);
    const cf = node.callFrame;
    total += dt;
    if (cf.functionName === '(idle)') {
      idle += dt;
      return;
    }
    add(self, frameKey(cf), dt);
    add(packages, owner(cf.url, cf.functionName), dt);
    // Attribution: the innermost npm package or app module on the stack, so
    // that node internals (socket writes, streams, timers) count for the
    // library that called them.
    let attributed;
    for (let cur = id; cur !== undefined && !attributed; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame;
      const o = owner(f.url, f.functionName);
      if (f.url && !o.startsWith('node:')) attributed = o;
    }
    add(responsible, attributed ?? (cf.url ? 'node internals (no package above)' : owner(cf.url, cf.functionName)), dt);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const key = frameKey(byId.get(cur).callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusive, key, dt);
    }
  });

  const busy = total - idle;
  const top = (map, n) =>
    [...map.entries()]
      .filter(([k]) => k !== '(root)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${v.toFixed(0).padStart(7)} ms  ${k}`)
      .join('\n');

  return [
    `# ${path.basename(file)}`,
    `wall ${(total / 1000).toFixed(1)} s, main thread busy ${(busy / 1000).toFixed(1)} s (${((100 * busy) / total).toFixed(0)}%), idle ${(idle / 1000).toFixed(1)} s`,
    '',
    `self time by package (% of busy):`,
    top(packages, 15),
    '',
    `time by the innermost package on the stack (node internals count for their caller):`,
    top(responsible, 20),
    '',
    `self time by function (top ${TOP}):`,
    top(self, TOP),
    '',
    `inclusive time by function (top ${TOP}):`,
    top(inclusive, TOP),
    '',
    `inclusive time of frames matching ${MATCH}:`,
    top(new Map([...inclusive].filter(([k]) => MATCH.test(k))), TOP),
    '',
  ].join('\n');
}

for (const file of args) process.stdout.write(`${summarise(file)}\n`);
