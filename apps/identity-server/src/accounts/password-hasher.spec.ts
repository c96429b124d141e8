import * as bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { AppConfig, loadConfig } from '../config/app-config';
import { PasswordChecksBusyError } from './password-checks-busy.error';
import { PasswordHasher, PasswordHasherOptions } from './password-hasher';

function configAt(cost: number): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    BCRYPT_COST: String(cost),
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
}

/** The nice value of every thread of this process, by thread id (proc(5): field 19 of `stat`). */
function threadNiceValues(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name may contain spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    nice.set(Number(tid), Number(fields[16]));
  }
  return nice;
}

describe('PasswordHasher', () => {
  const hashers: PasswordHasher[] = [];
  const make = (cost: number, options?: PasswordHasherOptions) => {
    const hasher = new PasswordHasher(configAt(cost), options);
    hashers.push(hasher);
    return hasher;
  };
  afterEach(async () => {
    await Promise.all(hashers.splice(0).map((h) => h.onApplicationShutdown()));
  });

  it('hashes at the configured cost and verifies only the right password', async () => {
    const hasher = make(4);
    const hash = await hasher.hash('correct horse');
    expect(bcrypt.getRounds(hash)).toBe(4);
    expect(hash).not.toContain('correct horse');
    await expect(hasher.verify('correct horse', hash)).resolves.toBe(true);
    await expect(hasher.verify('correct horsE', hash)).resolves.toBe(false);
  });

  it('verifies hashes made elsewhere by bcrypt', async () => {
    const hasher = make(4);
    await expect(hasher.verify('pw', bcrypt.hashSync('pw', 5))).resolves.toBe(true);
  });

  it('burn spends a compare and matches no password, not even the empty one', async () => {
    const hasher = make(4);
    await expect(hasher.burn('')).resolves.toBeUndefined();
    await expect(hasher.burn('anything')).resolves.toBeUndefined();
  });

  it('asks for an upgrade of cheaper and unreadable hashes only', () => {
    const hasher = make(5);
    expect(hasher.needsUpgrade(bcrypt.hashSync('pw', 4))).toBe(true);
    expect(hasher.needsUpgrade(bcrypt.hashSync('pw', 5))).toBe(false);
    expect(hasher.needsUpgrade(bcrypt.hashSync('pw', 6))).toBe(false);
    expect(hasher.needsUpgrade('not a bcrypt hash')).toBe(true);
  });

  it('refuses checks beyond its bound, verify and burn alike, and admits again once they finish', async () => {
    const hasher = make(10, { threads: 1, maxPendingChecks: 2 });
    const hash = bcrypt.hashSync('pw', 10);
    const admitted = [hasher.verify('pw', hash), hasher.verify('nope', hash)];
    // Admission is decided before anything is awaited: both are pending now.
    const refused = await hasher.verify('pw', hash).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PasswordChecksBusyError);
    expect((refused as PasswordChecksBusyError).getStatus()).toBe(503);
    expect((refused as PasswordChecksBusyError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await expect(hasher.burn('pw')).rejects.toBeInstanceOf(PasswordChecksBusyError);
    await expect(Promise.all(admitted)).resolves.toEqual([true, false]);
    await expect(hasher.verify('pw', hash)).resolves.toBe(true);
  });

  it('gives the admission back when a check fails, so failures never shrink the bound', async () => {
    const hasher = make(4, { threads: 1, maxPendingChecks: 1 });
    // bcrypt throws on the worker thread without a hash: the check rejects.
    for (let i = 0; i < 3; i++)
      await expect(hasher.verify('pw', undefined as unknown as string)).rejects.toThrow();
    await expect(hasher.verify('pw', bcrypt.hashSync('pw', 4))).resolves.toBe(true);
  });

  it('bounds checks by default to the threads plus sixteen waiting per thread', () => {
    expect(make(4, { threads: 2 }).maxPendingChecks).toBe(2 * (1 + 16));
  });

  it('runs bcrypt on threads of its own at the lowest priority, leaving the others alone', async () => {
    const before = threadNiceValues();
    const hasher = make(4, { threads: 2 });
    const hash = await hasher.hash('pw');
    // The pool starts its second thread when two checks overlap; a thread lowers its
    // priority once it has loaded the worker, which takes a while under ts-node on a
    // busy machine. So keep both threads asked for, and give them time (up to 30 s).
    let niced: number[] = [];
    for (let i = 0; i < 300 && niced.length < 2; i++) {
      await Promise.all([hasher.verify('pw', hash), hasher.verify('pw', hash)]);
      niced = [...threadNiceValues()].filter(([, nice]) => nice === 19).map(([tid]) => tid);
      if (niced.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(niced).toHaveLength(2);
    expect(niced.every((tid) => !before.has(tid))).toBe(true);
    const others = [...threadNiceValues()].filter(([tid]) => !niced.includes(tid));
    expect(others.length).toBeGreaterThan(0);
    expect(others.every(([, nice]) => nice === 0)).toBe(true);
  });
});
