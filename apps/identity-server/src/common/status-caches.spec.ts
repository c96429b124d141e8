import { loadConfig } from '../config/app-config';
import { StatusCaches } from './status-caches';

describe('StatusCaches', () => {
  it('builds caches with the configured TTL, and clears them all at once', async () => {
    const caches = new StatusCaches(loadConfig({ STATUS_CACHE_TTL_MS: '60000' }));
    const first = caches.create<string, number>('first', 10);
    const second = caches.create<string, number>('second', 10);
    let loads = 0;
    const load = async () => ++loads;
    await first.get('a', load);
    await second.get('a', load);
    await first.get('a', load);
    expect(loads).toBe(2);

    caches.clearAll();
    expect(first.size + second.size).toBe(0);
    await first.get('a', load);
    await second.get('a', load);
    expect(loads).toBe(4);
  });

  it('with STATUS_CACHE_TTL_MS=0 builds caches that store nothing', async () => {
    const cache = new StatusCaches(loadConfig({ STATUS_CACHE_TTL_MS: '0' })).create<string, number>(
      'off',
      10,
    );
    let loads = 0;
    await cache.get('a', async () => ++loads);
    await cache.get('a', async () => ++loads);
    expect(loads).toBe(2);
  });

  it('refuses a second cache of the same name', () => {
    const caches = new StatusCaches(loadConfig({}));
    caches.create('clients', 10);
    expect(() => caches.create('clients', 10)).toThrow('clients');
  });
});
