// Child processes of the bench: spawned, waited for, measured through /proc,
// and always killed (also when the run fails or is interrupted).
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set();

/** Clock ticks per second of utime/stime in /proc/<pid>/stat. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * Starts `command args` with `env`; stdout and stderr go to `logFile`.
 * Returns a handle with its pid, its exit promise and a stop() that sends
 * SIGTERM, then SIGKILL after `graceMs`.
 */
export function startProcess(name, command, args, { env, cwd, logFile }) {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(handle);
      resolve({ code, signal });
    });
  });
  const handle = {
    name,
    pid: child.pid,
    child,
    exited,
    output: () => output,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    async stop(graceMs = 10_000) {
      if (!handle.running) return exited;
      child.kill('SIGTERM');
      const done = await Promise.race([exited, sleep(graceMs).then(() => null)]);
      if (done) return done;
      child.kill('SIGKILL');
      return exited;
    },
  };
  children.add(handle);
  return handle;
}

/** Runs a command to completion; resolves with its stdout, rejects with its output on failure. */
export function runCommand(command, args, { env, cwd, logFile, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
      log?.write(c);
    });
    child.stderr.on('data', (c) => {
      stderr += c;
      log?.write(c);
    });
    const handle = { name: command, pid: child.pid, running: true, stop: async () => child.kill('SIGKILL') };
    children.add(handle);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(handle);
      log?.end();
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} exited ${code ?? signal}:\n${(stdout + stderr).slice(-4000)}`,
          ),
        );
    });
  });
}

/** Polls `url` until it answers 2xx, the process dies, or `timeoutMs` passes. */
export async function waitForHttp(url, proc, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && !proc.running)
      throw new Error(`${proc.name} exited before it was ready:\n${proc.output().slice(-4000)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${proc?.output().slice(-4000) ?? ''}`);
}

/** Kills every child still running: SIGTERM, then SIGKILL for the stubborn. */
export async function stopAll() {
  await Promise.all([...children].map((c) => c.stop(5000).catch(() => undefined)));
}

/** Last-resort cleanup when the orchestrator itself exits (synchronous: 'exit' handlers cannot wait). */
export function killAllSync() {
  for (const c of children) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** CPU time (user + system) the process has used, in milliseconds. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLK_TCK;
}

/** Peak resident set size (VmHWM) in MB, and the current one (VmRSS). */
export function memoryMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/**
 * Resets the process's peak RSS to its current RSS (Linux: `5` into
 * /proc/<pid>/clear_refs), so that VmHWM afterwards is the peak of one
 * scenario. Returns false where the kernel refuses; the peak is then the
 * process's lifetime peak.
 */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The pid of the local MariaDB server, to report its CPU beside Tessera's; null if not found. */
export function mariadbPid() {
  for (const name of ['mariadbd', 'mysqld']) {
    try {
      const pid = Number(execFileSync('pidof', ['-s', name], { encoding: 'utf8' }).trim());
      if (pid) return pid;
    } catch {
      // not this one
    }
  }
  return null;
}

/** A loopback port the kernel says is free now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The environment of a server child: ours without anything Tessera reads, plus `extra`. */
export function childEnv(extra) {
  const clean = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'UV_THREADPOOL_SIZE', 'NODE_OPTIONS'])
    if (process.env[key] !== undefined) clean[key] = process.env[key];
  return { ...clean, ...extra };
}

/**
 * The bench's client_credentials client `bench-cc` (scope `orders:read
 * orders:write`), made by the operator CLI of the build in `dist` on the
 * database `env` names (the CLI migrates a new one first); its secret, read
 * from what the CLI shows once.
 */
export async function createBenchClient(dist, { env, cwd, logFile }) {
  const out = await runCommand(
    process.execPath,
    [path.join(dist, 'apps/identity-server/src/cli.js'), 'clients:create', 'bench-cc', '--grant', 'client_credentials', '--scope', 'orders:read orders:write'],
    { env, cwd, logFile, timeoutMs: 120_000 },
  );
  const secret = /"bench-cc" created[^\n]*\n\s*\n\s{4}(\S+)/.exec(out)?.[1];
  if (!secret) throw new Error(`could not read bench-cc's secret from the CLI:\n${out}`);
  return secret;
}
