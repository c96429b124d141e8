/**
 * Emitted (and awaited) when an account's existing grants must end: it was
 * disabled, or its password changed (RFC 9700 §4.14: a new password ends the
 * refresh tokens obtained with the old one). `oauth` listens and revokes.
 */
export const ACCOUNT_GRANTS_ENDED = 'account.grants_ended';

export interface AccountGrantsEndedEvent {
  userId: string;
  reason: 'user_disabled' | 'password_changed';
}
