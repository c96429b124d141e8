import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KeyRingService } from '../keys/key-ring.service';

/**
 * Up when the key that signs now unseals: every token request needs it. The
 * key ring keeps unsealed keys in memory, so this costs a table re-read at
 * most once per `SIGNING_KEY_RELOAD_SECONDS`.
 */
@Injectable()
export class SigningKeyHealthIndicator {
  constructor(
    private readonly ring: KeyRingService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    try {
      await this.ring.signingKey();
      return indicator.up();
    } catch {
      // The cause stays out of the answer: readiness is public.
      return indicator.down({ message: 'no usable signing key' });
    }
  }
}
