import { LRUCache } from 'lru-cache';

export interface StatusCacheOptions<V> {
  /** Entries kept at most; beyond it the least recently used go first. */
  max: number;
  /** How long an entry is served, in ms. `0` turns the cache off: every `get` loads. */
  ttlMs: number;
  /** Which loaded values are stored (default: all). A value refused here is loaded again each time. */
  keep?: (value: V) => boolean;
  /** The clock TTLs are measured with, in ms (tests inject one). Default `performance.now`. */
  now?: () => number;
}

/**
 * A short-lived, bounded, in-process cache of one kind of status look-up (is
 * this client approved, is this token revoked...), in front of the database.
 *
 * Consistency: every write in this process that could change a cached answer
 * calls {@link delete} or {@link clear} once it has committed. A load that
 * began before such an invalidation may have read the old row; it still
 * answers its own caller, but its result is not stored (a generation counter,
 * bumped by every invalidation, tells). Writes made elsewhere (another process,
 * the database directly) are seen once the entry's `ttlMs` has passed.
 *
 * Concurrent misses for one key share a single load. Loader errors are not
 * cached. Callers share the values stored here: treat them as read-only.
 */
export class StatusCache<K extends NonNullable<unknown>, V> {
  /** Values are boxed so that `null` ("no such row") can be stored too. */
  private readonly entries: LRUCache<K, { value: V }> | null;
  private readonly loading = new Map<K, Promise<V>>();
  private readonly keep: (value: V) => boolean;
  /** Bumped by every invalidation: a load that began under an older generation stores nothing. */
  private generation = 0;

  constructor(options: StatusCacheOptions<V>) {
    if (!Number.isInteger(options.ttlMs) || options.ttlMs < 0)
      throw new Error('StatusCache: ttlMs must be an integer >= 0');
    if (!Number.isInteger(options.max) || options.max < 1)
      throw new Error('StatusCache: max must be a positive integer');
    this.keep = options.keep ?? (() => true);
    const now = options.now;
    this.entries =
      options.ttlMs === 0
        ? null
        : new LRUCache<K, { value: V }>({
            max: options.max,
            ttl: options.ttlMs,
            // Check the clock on every read: entries expire at their TTL, not up to a tick later.
            ttlResolution: 0,
            ...(now ? { perf: { now } } : {}),
          });
  }

  /** Entries held now (expired ones may still count until they are read or evicted). */
  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** The cached value of `key`, or the result of `load()`, stored unless an invalidation came meanwhile. */
  async get(key: K, load: () => Promise<V>): Promise<V> {
    if (!this.entries) return load();
    const hit = this.entries.get(key);
    if (hit) return hit.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const promise = this.load(key, load, this.entries);
    this.loading.set(key, promise);
    return promise;
  }

  /**
   * Forgets `key`, and keeps any load already under way from storing what it
   * read. Deliberately coarse: the generation is shared, so loads of other
   * keys in flight are not stored either (correct, at the price of a reload).
   */
  delete(key: K): void {
    this.invalidate();
    this.entries?.delete(key);
  }

  /** Forgets everything, and keeps any load already under way from storing what it read. */
  clear(): void {
    this.invalidate();
    this.entries?.clear();
  }

  /**
   * Runs a write, then invalidates `key` (or, without a key, everything) once
   * it has settled, whether it succeeded or failed: a failed statement may
   * still have committed. The one way writers are meant to use this cache.
   * It must wrap a whole transaction, never run inside one: invalidating
   * before the commit would let a concurrent read cache the old row.
   */
  async afterWrite<T>(write: () => Promise<T>, key?: K): Promise<T> {
    try {
      return await write();
    } finally {
      if (key === undefined) this.clear();
      else this.delete(key);
    }
  }

  private async load(
    key: K,
    load: () => Promise<V>,
    entries: LRUCache<K, { value: V }>,
  ): Promise<V> {
    const generation = this.generation;
    try {
      // Yield first, so that `get` has registered this load before it can settle
      // (a loader that throws at once would otherwise settle before it).
      await Promise.resolve();
      const value = await load();
      if (generation === this.generation && this.keep(value)) entries.set(key, { value });
      return value;
    } finally {
      // After an invalidation the map was emptied, and may now hold a newer load of this key.
      if (generation === this.generation) this.loading.delete(key);
    }
  }

  private invalidate(): void {
    this.generation++;
    // Later callers must not join a load that may have read what was just changed.
    this.loading.clear();
  }
}
