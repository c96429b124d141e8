import * as bcrypt from 'bcrypt';
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';

/** One bcrypt operation, run on a worker thread of {@link PasswordHasher}'s pool. */
export type PasswordHashTask =
  | { op: 'hash'; password: string; cost: number }
  | { op: 'compare'; password: string; hash: string };

/** The outcome of a task and how long the thread spent on it (wall time, for the admission limit). */
export interface PasswordHashResult {
  value: string | boolean;
  ms: number;
}

// The lowest scheduling priority, for this thread only: on Linux the nice value
// belongs to the thread (setpriority(2) with who = 0 names the calling thread),
// so bcrypt still gets every idle core, but the event loop, signing on libuv's
// pool and other processes preempt it under load. Elsewhere (macOS) the same call
// would nice the whole process, so it is made on Linux only.
if (process.platform === 'linux') setPriority(19);

/**
 * bcrypt's synchronous API: the thread is ours, so blocking it costs nothing
 * and avoids a hop to libuv's pool, which signing needs free.
 */
export default function runPasswordHashTask(task: PasswordHashTask): PasswordHashResult {
  const started = performance.now();
  const value =
    task.op === 'hash'
      ? bcrypt.hashSync(task.password, task.cost)
      : bcrypt.compareSync(task.password, task.hash);
  return { value, ms: performance.now() - started };
}
