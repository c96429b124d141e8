import { ClientStatus } from './client.entity';

/** What other modules learn about a client: never its secrets. */
export interface ClientPrincipal {
  /** `clients.id`, the registration's id. */
  ref: string;
  /** The OAuth `client_id`. */
  clientId: string;
  name: string;
  status: ClientStatus;
  firstParty: boolean;
  grantTypes: string[];
  /** Scopes granted at review; also the default when a request names none. */
  scopes: string[];
  /** Registered redirect URIs, compared by exact string match (RFC 9700 §2.1). */
  redirectUris: string[];
  /** Access tokens issued at or before this instant are inactive (set by suspension). */
  tokensRevokedBefore: Date | null;
}
