import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { KeyRingService } from './key-ring.service';

/**
 * Automatic rotation (`SIGNING_KEY_ROTATION_INTERVAL_SECONDS`, 0 = off): when
 * the newest key has signed for an interval, the next one is created so that
 * it activates after the lead time. Several processes may race here; at worst
 * two keys are created, and the timeline still picks one signer for all.
 */
@Injectable()
export class KeyRotationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KeyRotationScheduler.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ring: KeyRingService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.keys.rotationIntervalSeconds;
    if (interval === 0) return;
    const checkEvery = Math.max(1, Math.min(3600, Math.floor(interval / 4)));
    this.timer = setInterval(() => void this.tick(), checkEvery * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(now = new Date()): Promise<void> {
    try {
      const newest = await this.ring.newestActivation();
      const { rotationIntervalSeconds } = this.config.keys;
      if (newest && newest.getTime() + rotationIntervalSeconds * 1000 <= now.getTime()) {
        const key = await this.ring.rotate();
        this.logger.log({ kid: key.kid, activatesAt: key.activatesAt }, 'scheduled key rotation');
      }
    } catch (error) {
      this.logger.error({ err: error }, 'scheduled key rotation failed; will retry');
    }
  }
}
