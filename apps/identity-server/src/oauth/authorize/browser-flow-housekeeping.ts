import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SessionService } from '../../sessions/session.service';
import { AuthorizationCodeStore } from './authorization-code.store';
import { InteractionStore } from './interaction.store';

/** How often the sweep runs in each process (deletes are idempotent, so processes may overlap). */
const SWEEP_EVERY_MS = 10 * 60 * 1000;
/**
 * Used codes and ended sessions are kept a day after they stop working: a
 * code replayed within that day still revokes its grant (RFC 6749 §4.1.2),
 * and the audit trail can still be matched with the rows.
 */
const KEEP_MS = 24 * 60 * 60 * 1000;

/** Removes the browser flow's dead rows: abandoned interactions, old codes, old sessions. */
@Injectable()
export class BrowserFlowHousekeeping implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BrowserFlowHousekeeping.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly interactions: InteractionStore,
    private readonly codes: AuthorizationCodeStore,
    private readonly sessions: SessionService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(now = new Date()): Promise<void> {
    try {
      const old = new Date(now.getTime() - KEEP_MS);
      const removed = {
        interactions: await this.interactions.purgeExpired(now),
        codes: await this.codes.purgeExpired(old),
        sessions: await this.sessions.purgeEndedBefore(old),
      };
      this.logger.debug(removed, 'browser flow housekeeping');
    } catch (error) {
      this.logger.error({ err: error }, 'browser flow housekeeping failed; will retry');
    }
  }
}
