import { AppConfig, loadConfig } from '../config/app-config';
import { KeyRingService } from './key-ring.service';
import { KeyRotationScheduler } from './key-rotation.scheduler';

/** A key ring that only records rotations: the schedule's decision is what is under test. */
class RecordingRing {
  rotations = 0;
  constructor(public newest: Date | undefined) {}
  newestActivation = async () => this.newest;
  rotate = async () => {
    this.rotations++;
    return { kid: `k${this.rotations}`, activatesAt: new Date() };
  };
}

const DAY = 86_400_000;
const config: AppConfig = loadConfig({
  NODE_ENV: 'test',
  SIGNING_KEY_ROTATION_INTERVAL_SECONDS: String(30 * 86_400),
});

describe('KeyRotationScheduler', () => {
  const now = new Date(Date.UTC(2026, 5, 1));

  it('rotates once the newest key has been active for an interval', async () => {
    const ring = new RecordingRing(new Date(now.getTime() - 30 * DAY));
    await new KeyRotationScheduler(ring as unknown as KeyRingService, config).tick(now);
    expect(ring.rotations).toBe(1);
  });

  it('does not rotate before the interval, nor while a newer key is still pending', async () => {
    const young = new RecordingRing(new Date(now.getTime() - 29 * DAY));
    await new KeyRotationScheduler(young as unknown as KeyRingService, config).tick(now);
    const pending = new RecordingRing(new Date(now.getTime() + 60_000));
    await new KeyRotationScheduler(pending as unknown as KeyRingService, config).tick(now);
    expect(young.rotations + pending.rotations).toBe(0);
  });

  it('survives a failing rotation (logged, retried at the next tick)', async () => {
    const ring = new RecordingRing(new Date(now.getTime() - 31 * DAY));
    ring.rotate = async () => {
      throw new Error('database down');
    };
    await expect(
      new KeyRotationScheduler(ring as unknown as KeyRingService, config).tick(now),
    ).resolves.toBeUndefined();
  });
});
