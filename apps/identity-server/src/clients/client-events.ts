/** Emitted (and awaited) when a client is suspended; `oauth` revokes what it holds. */
export const CLIENT_SUSPENDED = 'client.suspended';

export interface ClientSuspendedEvent {
  clientRef: string;
  clientId: string;
}
