import { StatusCache } from './status-cache';

/** A loader whose calls are counted and whose results the test settles by hand. */
function manualLoader<V>() {
  const calls: Array<{ resolve: (value: V) => void; reject: (error: Error) => void }> = [];
  return {
    calls,
    load: () =>
      new Promise<V>((resolve, reject) => {
        calls.push({ resolve, reject });
      }),
  };
}

/** Lets pending promise callbacks run (the cache yields once before it calls a loader). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('StatusCache', () => {
  let clock: number;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000;
  });

  it('answers from memory within the TTL and loads again after it', async () => {
    const cache = new StatusCache<string, string>({ max: 10, ttlMs: 2000, now });
    let loads = 0;
    const load = async () => `value ${++loads}`;

    expect(await cache.get('a', load)).toBe('value 1');
    clock += 2000;
    expect(await cache.get('a', load)).toBe('value 1');
    expect(loads).toBe(1);
    clock += 1;
    expect(await cache.get('a', load)).toBe('value 2');
    expect(loads).toBe(2);
  });

  it('stores null ("no such row") like any value, unless `keep` refuses it', async () => {
    const all = new StatusCache<string, string | null>({ max: 10, ttlMs: 1000, now });
    const some = new StatusCache<string, string | null>({
      max: 10,
      ttlMs: 1000,
      now,
      keep: (value) => value !== null,
    });
    let loads = 0;
    const load = async () => {
      loads++;
      return null;
    };
    await all.get('x', load);
    await all.get('x', load);
    expect(loads).toBe(1);
    await some.get('x', load);
    await some.get('x', load);
    expect(loads).toBe(3);
    expect(some.size).toBe(0);
  });

  it('with ttlMs 0 stores nothing: every get loads, even concurrent ones', async () => {
    const cache = new StatusCache<string, number>({ max: 10, ttlMs: 0, now });
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('a', load)).toBe(1);
    expect(await cache.get('a', load)).toBe(2);
    expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([3, 4]);
    expect(cache.size).toBe(0);
  });

  it('keeps at most `max` entries, dropping the least recently used', async () => {
    const cache = new StatusCache<string, string>({ max: 2, ttlMs: 60_000, now });
    const loaded: string[] = [];
    const load = (key: string) => async () => {
      loaded.push(key);
      return key;
    };
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    await cache.get('a', load('a')); // a is now the most recently used
    await cache.get('c', load('c')); // evicts b
    expect(cache.size).toBe(2);
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    expect(loaded).toEqual(['a', 'b', 'c', 'b']);
  });

  it('shares one load among concurrent misses of a key', async () => {
    const cache = new StatusCache<string, string>({ max: 10, ttlMs: 1000, now });
    const loader = manualLoader<string>();
    const first = cache.get('a', loader.load);
    const second = cache.get('a', loader.load);
    await settle();
    expect(loader.calls).toHaveLength(1);
    loader.calls[0].resolve('v');
    expect(await Promise.all([first, second])).toEqual(['v', 'v']);
    expect(await cache.get('a', loader.load)).toBe('v');
    expect(loader.calls).toHaveLength(1);
  });

  it.each(['delete', 'clear'] as const)(
    'a load that began before %s answers its caller but stores nothing, and later gets do not join it',
    async (invalidation) => {
      const cache = new StatusCache<string, string>({ max: 10, ttlMs: 60_000, now });
      const loader = manualLoader<string>();
      const stale = cache.get('a', loader.load);
      await settle();
      expect(loader.calls).toHaveLength(1);

      // The write commits, then invalidates, while the first load is still reading.
      if (invalidation === 'delete') cache.delete('a');
      else cache.clear();
      const fresh = cache.get('a', loader.load);
      await settle();
      expect(loader.calls).toHaveLength(2);

      loader.calls[0].resolve('old');
      expect(await stale).toBe('old');
      loader.calls[1].resolve('new');
      expect(await fresh).toBe('new');
      // Only the load that began after the invalidation was stored.
      expect(await cache.get('a', loader.load)).toBe('new');
      expect(loader.calls).toHaveLength(2);
    },
  );

  it('deleting another key also keeps an older load from storing (one generation for the cache)', async () => {
    const cache = new StatusCache<string, string>({ max: 10, ttlMs: 60_000, now });
    const loader = manualLoader<string>();
    const pending = cache.get('a', loader.load);
    await settle();
    cache.delete('b');
    loader.calls[0].resolve('v');
    expect(await pending).toBe('v');
    expect(cache.size).toBe(0);
  });

  it('does not cache a failed load, and a loader that throws at once fails only its own get', async () => {
    const cache = new StatusCache<string, string>({ max: 10, ttlMs: 60_000, now });
    await expect(
      cache.get('a', () => {
        throw new Error('connection lost');
      }),
    ).rejects.toThrow('connection lost');
    await expect(cache.get('a', () => Promise.reject(new Error('timeout')))).rejects.toThrow(
      'timeout',
    );
    expect(await cache.get('a', async () => 'v')).toBe('v');
  });

  it('afterWrite invalidates once the write settles, also when it fails', async () => {
    const cache = new StatusCache<string, string>({ max: 10, ttlMs: 60_000, now });
    await cache.get('a', async () => 'a1');
    await cache.get('b', async () => 'b1');

    expect(await cache.afterWrite(async () => 'written', 'a')).toBe('written');
    expect(await cache.get('a', async () => 'a2')).toBe('a2');
    expect(await cache.get('b', async () => 'b2')).toBe('b1');

    await expect(cache.afterWrite(() => Promise.reject(new Error('deadlock')))).rejects.toThrow(
      'deadlock',
    );
    expect(cache.size).toBe(0);
  });

  it('refuses a negative or fractional TTL and a bound below 1', () => {
    expect(() => new StatusCache({ max: 10, ttlMs: -1 })).toThrow('ttlMs');
    expect(() => new StatusCache({ max: 10, ttlMs: 1.5 })).toThrow('ttlMs');
    expect(() => new StatusCache({ max: 0, ttlMs: 10 })).toThrow('max');
  });
});
