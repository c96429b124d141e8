import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { KeyMaterial } from '../crypto/key-material';
import { constantTimeEqualHex, SecretHasher } from '../crypto/secret-hasher';
import { ClientSecretEntity } from './client-secret.entity';
import { ClientEntity } from './client.entity';
import { ClientPrincipal } from './client.types';
import { parseScope } from './scope';
import { hydrateRow, selectColumns } from '../database/raw-rows';

export interface NewApprovedClient {
  clientId: string;
  name: string;
  firstParty: boolean;
  grantTypes: string[];
  scopes: string[];
  secret: string;
}

/** Client look-ups and client authentication. */
@Injectable()
export class ClientsService {
  private readonly hasher: SecretHasher;

  constructor(
    @InjectRepository(ClientEntity) private readonly clients: Repository<ClientEntity>,
    @InjectRepository(ClientSecretEntity) private readonly secrets: Repository<ClientSecretEntity>,
    private readonly audit: AuditService,
    keys: KeyMaterial,
  ) {
    this.hasher = new SecretHasher(keys.keyFor('client-secret-hash'));
  }

  /**
   * The client whose `client_id` and secret these are, whatever its status
   * (the caller decides what a status allows), or null. The secret is hashed
   * once and compared in constant time with each live secret of the client;
   * an unknown client costs the same hash and the same single look-up (the
   * client joined with its live secrets), so the timing does not tell which
   * client_ids exist.
   */
  async authenticate(clientId: string, secret: string): Promise<ClientPrincipal | null> {
    const presented = this.hasher.hash(secret);
    const rows: Array<Record<string, unknown>> = await this.clients.query(
      `SELECT ${selectColumns(this.clients, 'c')}, ${selectColumns(this.secrets, 's')}
         FROM clients c
         LEFT JOIN client_secrets s ON s.client_ref = c.id AND s.revoked_at IS NULL
        WHERE c.client_id = ?`,
      [clientId],
    );
    const found = rows.length > 0 ? hydrateRow(this.clients, rows[0], 'c') : null;
    // A client_id is an exact string (RFC 6749 §2.2), but MariaDB compares with PAD SPACE
    // (and a `_ci` collation ignores case): the lookup alone would let 'console ' in.
    const client = found?.clientId === clientId ? found : null;
    const now = new Date();
    let matched = false;
    for (const row of rows) {
      const candidate = hydrateRow(this.secrets, row, 's');
      if (!candidate) continue;
      // Check every live secret, without stopping at the first match, to keep timing flat.
      const ok = constantTimeEqualHex(presented, candidate.secretHash);
      const unexpired = candidate.expiresAt === null || candidate.expiresAt > now;
      matched = (ok && unexpired) || matched;
    }
    return matched && client ? toPrincipal(client) : null;
  }

  async findByRef(ref: string): Promise<ClientPrincipal | null> {
    const client = await this.findOneBy('id', ref);
    return client && client.clientId ? toPrincipal(client) : null;
  }

  /**
   * The client whose `client_id` is exactly this string, or null: checked here,
   * for every caller, since MariaDB's comparison alone would let `app ` find `app`.
   */
  async findByClientId(clientId: string): Promise<ClientPrincipal | null> {
    const client = await this.findOneBy('client_id', clientId);
    return client?.clientId === clientId ? toPrincipal(client) : null;
  }

  /** One client by a unique column, read with a plain SELECT (a hot path: introspection, refresh). */
  private async findOneBy(column: 'id' | 'client_id', value: string): Promise<ClientEntity | null> {
    const rows: Array<Record<string, unknown>> = await this.clients.query(
      `SELECT ${selectColumns(this.clients, 'c')} FROM clients c WHERE c.${column} = ?`,
      [value],
    );
    return rows.length > 0 ? hydrateRow(this.clients, rows[0], 'c') : null;
  }

  /** Creates an approved client with one secret (bootstrap and tests; registration comes with review). */
  async createApprovedClient(input: NewApprovedClient): Promise<ClientPrincipal> {
    const now = new Date();
    const client = this.clients.create({
      id: randomUUID(),
      clientId: input.clientId,
      name: input.name,
      description: null,
      contact: null,
      ownerId: null,
      status: 'approved',
      firstParty: input.firstParty,
      grantTypes: input.grantTypes.join(' '),
      requestedGrantTypes: input.grantTypes.join(' '),
      scope: input.scopes.join(' '),
      requestedScope: input.scopes.join(' '),
      redirectUris: '[]',
      statusReason: null,
      reviewedBy: null,
      reviewedAt: now,
      tokensRevokedBefore: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.clients.insert(client);
    await this.addSecret(client.id, input.secret);
    await this.audit.record({
      type: 'client.created',
      clientId: input.clientId,
      clientRef: client.id,
      details: { name: input.name, firstParty: input.firstParty },
    });
    return toPrincipal(client);
  }

  /** Stores the hash of a new secret and returns its id; other secrets stay as they are. */
  async addSecret(clientRef: string, secret: string): Promise<string> {
    const id = randomUUID();
    await this.secrets.insert({
      id,
      clientRef,
      secretHash: this.hasher.hash(secret),
      createdAt: new Date(),
      expiresAt: null,
      revokedAt: null,
    });
    return id;
  }

  /** Revokes every live secret of a client at once. */
  async revokeSecrets(clientRef: string): Promise<void> {
    await this.secrets.update({ clientRef, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}

function toPrincipal(client: ClientEntity): ClientPrincipal {
  return {
    ref: client.id,
    clientId: client.clientId ?? '',
    name: client.name,
    status: client.status,
    firstParty: client.firstParty,
    grantTypes: client.grantTypes.split(' ').filter(Boolean),
    scopes: parseScope(client.scope) ?? [],
    redirectUris: JSON.parse(client.redirectUris) as string[],
    tokensRevokedBefore: client.tokensRevokedBefore,
  };
}
