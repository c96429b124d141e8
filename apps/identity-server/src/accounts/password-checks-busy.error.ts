import { ServiceUnavailableException } from '@nestjs/common';

/**
 * Thrown instead of queueing a password check when the hasher's queue is full:
 * under a flood of sign-ins, an honest user is told to come back in a moment
 * rather than wait behind an unbounded queue. Callers answer 503 with
 * `Retry-After: retryAfterSeconds`.
 */
export class PasswordChecksBusyError extends ServiceUnavailableException {
  constructor(readonly retryAfterSeconds: number) {
    super('too many sign-ins are being checked right now; retry later');
    this.name = 'PasswordChecksBusyError';
  }
}
