import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { StatusCache, StatusCacheOptions } from './status-cache';

/**
 * Every {@link StatusCache} of this process, built with the configured
 * lifetime (`STATUS_CACHE_TTL_MS`), so that all can be cleared at once.
 * Each service that caches a status look-up creates its cache here and
 * invalidates it after each of its own writes (docs/performance.md, "Status caches").
 */
@Injectable()
export class StatusCaches {
  private readonly caches = new Map<string, Pick<StatusCache<never, unknown>, 'clear'>>();

  constructor(private readonly config: AppConfig) {}

  /** A new cache named `name` (unique in the process) of at most `max` entries. */
  create<K extends NonNullable<unknown>, V>(
    name: string,
    max: number,
    options: Pick<StatusCacheOptions<V>, 'keep'> = {},
  ): StatusCache<K, V> {
    if (this.caches.has(name)) throw new Error(`status cache ${name} exists already`);
    const cache = new StatusCache<K, V>({ max, ttlMs: this.config.statusCacheTtlMs, ...options });
    this.caches.set(name, cache);
    return cache;
  }

  /**
   * Forgets every cached status. For a change made behind the server's back
   * (an operator's SQL, a test's direct write), when it must be seen before
   * the caches' lifetime ends.
   */
  clearAll(): void {
    for (const cache of this.caches.values()) cache.clear();
  }
}
