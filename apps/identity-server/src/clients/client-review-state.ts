import { ClientStatus } from './client.entity';

/** What can happen to a registration, and by whom. */
export type ClientAction = 'approve' | 'reject' | 'suspend' | 'reinstate' | 'withdraw';

/**
 * The review state machine, whole. Any other move is illegal (409). Each
 * transition is applied as one conditional UPDATE on `from`, so two admins
 * acting at once cannot both succeed.
 *
 *   pending ──approve──▶ approved ──suspend──▶ suspended
 *      │  └──reject───▶ rejected      ▲            │
 *      └────withdraw──▶ withdrawn     └─reinstate──┘
 */
export const TRANSITIONS: Record<ClientAction, { from: ClientStatus; to: ClientStatus }> = {
  approve: { from: 'pending', to: 'approved' },
  reject: { from: 'pending', to: 'rejected' },
  withdraw: { from: 'pending', to: 'withdrawn' },
  suspend: { from: 'approved', to: 'suspended' },
  reinstate: { from: 'suspended', to: 'approved' },
};

export function illegalTransitionMessage(action: ClientAction, current: ClientStatus): string {
  return `cannot ${action} a client that is ${current}; ${action} applies to ${TRANSITIONS[action].from} clients only`;
}

/** The grant types a client may be registered for. */
export const REGISTRABLE_GRANT_TYPES = [
  'authorization_code',
  'client_credentials',
  'password',
  'refresh_token',
] as const;
