import { Injectable } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';

/**
 * bcrypt through its asynchronous API, which runs on libuv's thread pool: a
 * flood of logins occupies worker threads, not the event loop.
 */
@Injectable()
export class PasswordHasher {
  readonly cost: number;
  /** Compared against when the user does not exist, so that path costs one bcrypt too. */
  private readonly dummyHash: Promise<string>;

  constructor(config: AppConfig) {
    this.cost = config.passwords.bcryptCost;
    this.dummyHash = bcrypt.hash(randomBytes(16).toString('hex'), this.cost);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  /** Spends the same work as {@link verify} on a hash no password matches. */
  async burn(password: string): Promise<void> {
    await bcrypt.compare(password, await this.dummyHash);
  }

  /** True when `hash` was made at a lower cost than the configured one. */
  needsUpgrade(hash: string): boolean {
    try {
      return bcrypt.getRounds(hash) < this.cost;
    } catch {
      return true;
    }
  }
}
