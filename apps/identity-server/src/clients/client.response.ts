import { ClientSecretEntity } from './client-secret.entity';
import { ClientEntity, ClientStatus } from './client.entity';

/** A registration as the API shows it: every field listed, no secret or hash anywhere. */
export interface ClientResponse {
  id: string;
  client_id: string | null;
  name: string;
  description: string | null;
  contact: string | null;
  status: ClientStatus;
  status_reason: string | null;
  first_party: boolean;
  grant_types: string[];
  scope: string;
  redirect_uris: string[];
  requested_grant_types: string[];
  requested_scope: string;
  owner_id: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClientPage {
  items: ClientResponse[];
  total: number;
  limit: number;
  offset: number;
}

export interface ClientSecretInfo {
  id: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface IssuedClientSecret {
  client_id: string;
  /** Shown this once; only its hash is stored. */
  client_secret: string;
  secret_id: string;
  /** When the secrets issued before this one stop working (rotation grace). */
  previous_secrets_expire_at: string | null;
}

const split = (value: string) => value.split(' ').filter(Boolean);

export function toClientResponse(client: ClientEntity): ClientResponse {
  return {
    id: client.id,
    client_id: client.clientId,
    name: client.name,
    description: client.description,
    contact: client.contact,
    status: client.status,
    status_reason: client.statusReason,
    first_party: client.firstParty,
    grant_types: split(client.grantTypes),
    scope: client.scope,
    redirect_uris: JSON.parse(client.redirectUris) as string[],
    requested_grant_types: split(client.requestedGrantTypes),
    requested_scope: client.requestedScope,
    owner_id: client.ownerId,
    reviewed_by: client.reviewedBy,
    reviewed_at: client.reviewedAt?.toISOString() ?? null,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
  };
}

export function toSecretInfo(secret: ClientSecretEntity): ClientSecretInfo {
  return {
    id: secret.id,
    created_at: secret.createdAt.toISOString(),
    expires_at: secret.expiresAt?.toISOString() ?? null,
    revoked_at: secret.revokedAt?.toISOString() ?? null,
  };
}
