import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Piscina } from 'piscina';
import { AppConfig } from '../config/app-config';
import { PasswordChecksBusyError } from './password-checks-busy.error';
import type { PasswordHashResult, PasswordHashTask } from './password-hash.worker';

/** Tuning of the hasher's pool; the defaults suit production, tests shrink them. */
export interface PasswordHasherOptions {
  /** Worker threads. Default: `os.availableParallelism()`, one per core. */
  threads?: number;
  /**
   * Password checks admitted at once, running and waiting. Default: the
   * threads plus {@link QUEUED_CHECKS_PER_THREAD} waiting per thread.
   */
  maxPendingChecks?: number;
}

/** Nothing provides it in the app (the limit comes from AppConfig); tests construct the hasher directly. */
const PASSWORD_HASHER_OPTIONS = Symbol('PASSWORD_HASHER_OPTIONS');

/**
 * Checks that may wait per thread before sign-ins are refused. At the default
 * cost 11 (about 130 ms of one core) that is about two seconds of waiting:
 * enough that a burst of honest sign-ins (or a few dozen concurrent clients)
 * is queued, not refused, and little enough that a flood is answered 503 at
 * once instead of every sign-in taking tens of seconds. A count, not a time
 * measured at start: the threads run niced, so their wall time under load
 * says more about the neighbours than about bcrypt.
 */
const QUEUED_CHECKS_PER_THREAD = 16;

/** How long an idle bcrypt thread lives before it ends. */
const IDLE_THREAD_MS = 60_000;

// Compiled, the worker is a .js file beside this one. Run from the TypeScript
// sources (jest, ts-node), the worker thread needs ts-node to load it.
const RUNNING_FROM_TS = extname(__filename) === '.ts';
const WORKER_FILE = join(__dirname, `password-hash.worker${extname(__filename)}`);

/**
 * bcrypt on a pool of its own worker threads (piscina), one per core, each
 * running at the lowest scheduling priority (see the worker). bcrypt alone
 * still uses every core, but it no longer shares libuv's thread pool with
 * RS256/ES256 signing, and under a flood of sign-ins the event loop, signing
 * and other services preempt it. Password checks beyond the queue's bound
 * are refused with {@link PasswordChecksBusyError}.
 */
@Injectable()
export class PasswordHasher implements OnApplicationShutdown {
  readonly cost: number;
  private readonly threads: number;
  private readonly pool: Piscina<PasswordHashTask, PasswordHashResult>;
  /** Compared against when the user does not exist, so that path costs one bcrypt too. */
  private readonly dummyHash: Promise<string>;
  /** See {@link PasswordHasherOptions.maxPendingChecks}. */
  readonly maxPendingChecks: number;
  /** Recent wall time of one check (moving average), for `Retry-After`. */
  private checkMs?: number;
  /** Password checks running or waiting (hashing is not bounded: it follows authentication). */
  private pendingChecks = 0;

  constructor(
    config: AppConfig,
    @Optional() @Inject(PASSWORD_HASHER_OPTIONS) options: PasswordHasherOptions = {},
  ) {
    this.cost = config.passwords.bcryptCost;
    this.threads = options.threads ?? availableParallelism();
    this.maxPendingChecks =
      options.maxPendingChecks ??
      config.passwords.checkQueueLimit ??
      this.threads * (1 + QUEUED_CHECKS_PER_THREAD);
    this.pool = new Piscina<PasswordHashTask, PasswordHashResult>({
      filename: WORKER_FILE,
      // Threads start with the first sign-ins and end after a quiet minute: an idle
      // server does not carry two more V8 isolates (about 21 MB, docs/performance.md).
      minThreads: 0,
      maxThreads: this.threads,
      idleTimeout: IDLE_THREAD_MS,
      ...(RUNNING_FROM_TS ? { execArgv: ['--require', 'ts-node/register/transpile-only'] } : {}),
    });
    this.dummyHash = this.pool
      .run({ op: 'hash', password: randomBytes(16).toString('hex'), cost: this.cost })
      .then((result) => result.value as string);
    // Awaited by burn(); a pool destroyed before it settles must not leave an unhandled rejection.
    this.dummyHash.catch(() => undefined);
  }

  async hash(password: string): Promise<string> {
    const result = await this.pool.run({ op: 'hash', password, cost: this.cost });
    return result.value as string;
  }

  /** @throws PasswordChecksBusyError when the queue is full. */
  verify(password: string, hash: string): Promise<boolean> {
    return this.check(password, hash);
  }

  /**
   * Spends the same work as {@link verify} on a hash no password matches, and
   * is admitted or refused exactly like it.
   */
  async burn(password: string): Promise<void> {
    await this.check(password, this.dummyHash);
  }

  /** True when `hash` was made at a lower cost than the configured one. */
  needsUpgrade(hash: string): boolean {
    try {
      return bcrypt.getRounds(hash) < this.cost;
    } catch {
      return true;
    }
  }

  /**
   * Ends the threads once the application has stopped serving: Nest runs this
   * hook after the HTTP server has closed, so sign-ins in flight at SIGTERM
   * finish first; close() also lets tasks already queued complete.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  private async check(password: string, hash: string | Promise<string>): Promise<boolean> {
    // Admission is decided before anything is awaited, so verify and burn are refused alike.
    if (this.pendingChecks >= this.maxPendingChecks) {
      throw new PasswordChecksBusyError(this.retryAfterSeconds());
    }
    this.pendingChecks++;
    try {
      const result = await this.pool.run({ op: 'compare', password, hash: await hash });
      this.checkMs = this.checkMs === undefined ? result.ms : 0.8 * this.checkMs + 0.2 * result.ms;
      return result.value as boolean;
    } finally {
      this.pendingChecks--;
    }
  }

  /** Seconds until the queue has drained at the recent speed (at least one). */
  private retryAfterSeconds(): number {
    const ms = this.checkMs ?? 1000;
    return Math.max(1, Math.ceil((this.pendingChecks * ms) / this.threads / 1000));
  }
}
