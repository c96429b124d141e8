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
import { StatusCache } from '../common/status-cache';
import { StatusCaches } from '../common/status-caches';

export interface NewApprovedClient {
  clientId: string;
  name: string;
  firstParty: boolean;
  grantTypes: string[];
  scopes: string[];
  secret: string;
}

/**
 * What the status cache keeps of one client: the principal and the HMACs of
 * its live secrets, as stored in the database (never a clear secret).
 */
interface ClientRecord {
  /** Null while the registration has no client_id (it was never approved). */
  principal: ClientPrincipal | null;
  secrets: ReadonlyArray<{ hash: string; expiresAt: Date | null }>;
}

/**
 * Client look-ups and client authentication. The look-ups of the hot paths
 * (authentication, introspection, refresh) are answered from a status cache
 * keyed by client_id and by ref; every write to `clients` or `client_secrets`
 * in this process goes through {@link afterClientWrite}, which empties it.
 */
@Injectable()
export class ClientsService {
  private readonly hasher: SecretHasher;
  /**
   * Keys `client_id:<client_id>` and `ref:<id>`. Only clients that exist are
   * kept, so a spray of made-up client_ids cannot fill it.
   */
  private readonly cache: StatusCache<string, ClientRecord | null>;

  constructor(
    @InjectRepository(ClientEntity) private readonly clients: Repository<ClientEntity>,
    @InjectRepository(ClientSecretEntity) private readonly secrets: Repository<ClientSecretEntity>,
    private readonly audit: AuditService,
    keys: KeyMaterial,
    caches: StatusCaches,
  ) {
    this.hasher = new SecretHasher(keys.keyFor('client-secret-hash'));
    this.cache = caches.create('clients', 5_000, { keep: (record) => record !== null });
  }

  /**
   * The client whose `client_id` and secret these are, whatever its status
   * (the caller decides what a status allows), or null. The secret is hashed
   * once and compared in constant time with each live secret of the client.
   * An unknown client costs the same hash and the same single look-up (the
   * client joined with its live secrets) as a known one that is not cached.
   * A cached client answers without the look-up, and any attempt (even with a
   * wrong secret) caches it, so timing can tell whether a client_id exists.
   * client_ids are public identifiers (RFC 6749 §2.2; the authorization
   * endpoint's error page tells as much); the secret is what timing must not leak.
   */
  async authenticate(clientId: string, secret: string): Promise<ClientPrincipal | null> {
    const presented = this.hasher.hash(secret);
    const record = await this.cache.get(`client_id:${clientId}`, () =>
      this.loadRecord('client_id', clientId),
    );
    const now = new Date();
    let matched = false;
    for (const candidate of record?.secrets ?? []) {
      // Check every live secret, without stopping at the first match, to keep timing flat.
      const ok = constantTimeEqualHex(presented, candidate.hash);
      const unexpired = candidate.expiresAt === null || candidate.expiresAt > now;
      matched = (ok && unexpired) || matched;
    }
    return matched && record?.principal ? record.principal : null;
  }

  /**
   * The client with this registration id, whatever its status, once it has a
   * client_id (it was approved at least once); otherwise null. `fresh` reads
   * the database, never the cache: for checks that must see another
   * process's change at once (a grant's end: mark first, sweep second).
   */
  async findByRef(ref: string, options: { fresh?: boolean } = {}): Promise<ClientPrincipal | null> {
    const record = options.fresh
      ? await this.loadRecord('id', ref)
      : await this.cache.get(`ref:${ref}`, () => this.loadRecord('id', ref));
    return record?.principal ?? null;
  }

  /**
   * The client whose `client_id` is exactly this string, or null: checked here,
   * for every caller, since MariaDB's comparison alone would let `app ` find `app`.
   */
  async findByClientId(clientId: string): Promise<ClientPrincipal | null> {
    const record = await this.cache.get(`client_id:${clientId}`, () =>
      this.loadRecord('client_id', clientId),
    );
    return record?.principal ?? null;
  }

  /**
   * Runs a write to `clients` or `client_secrets`, then empties the status
   * cache once it has settled. Every such write in this process goes through
   * here (registration, review, secrets), so that its effect is seen at once.
   */
  afterClientWrite<T>(write: () => Promise<T>): Promise<T> {
    return this.cache.afterWrite(write);
  }

  /**
   * One client by a unique column with its live secrets, in one plain SELECT
   * (a hot path: authentication, introspection, refresh), or null. The value
   * must match exactly: MariaDB compares with PAD SPACE (and a `_ci` collation
   * ignores case), so the lookup alone would let `console ` find `console`
   * (RFC 6749 §2.2: a client_id is an exact string).
   */
  private async loadRecord(
    column: 'id' | 'client_id',
    value: string,
  ): Promise<ClientRecord | null> {
    const rows: Array<Record<string, unknown>> = await this.clients.query(
      `SELECT ${selectColumns(this.clients, 'c')}, ${selectColumns(this.secrets, 's')}
         FROM clients c
         LEFT JOIN client_secrets s ON s.client_ref = c.id AND s.revoked_at IS NULL
        WHERE c.${column} = ?`,
      [value],
    );
    const client = rows.length > 0 ? hydrateRow(this.clients, rows[0], 'c') : null;
    if (!client || (column === 'id' ? client.id : client.clientId) !== value) return null;
    const secrets: Array<{ hash: string; expiresAt: Date | null }> = [];
    for (const row of rows) {
      const secret = hydrateRow(this.secrets, row, 's');
      if (secret) secrets.push({ hash: secret.secretHash, expiresAt: secret.expiresAt });
    }
    return Object.freeze({
      principal: client.clientId ? toPrincipal(client) : null,
      secrets: Object.freeze(secrets),
    });
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
    await this.afterClientWrite(() => this.clients.insert(client));
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
  async addSecret(clientRef: string, secret: string, createdAt = new Date()): Promise<string> {
    const id = randomUUID();
    await this.afterClientWrite(() =>
      this.secrets.insert({
        id,
        clientRef,
        secretHash: this.hasher.hash(secret),
        createdAt,
        expiresAt: null,
        revokedAt: null,
      }),
    );
    return id;
  }

  /** Revokes every live secret of a client at once. */
  async revokeSecrets(clientRef: string): Promise<void> {
    await this.afterClientWrite(() =>
      this.secrets.update({ clientRef, revokedAt: IsNull() }, { revokedAt: new Date() }),
    );
  }
}

/** The principal, frozen: cached principals are shared by every request. */
function toPrincipal(client: ClientEntity): ClientPrincipal {
  return Object.freeze({
    ref: client.id,
    clientId: client.clientId ?? '',
    name: client.name,
    status: client.status,
    firstParty: client.firstParty,
    grantTypes: Object.freeze(client.grantTypes.split(' ').filter(Boolean)) as string[],
    scopes: Object.freeze(parseScope(client.scope) ?? []) as string[],
    redirectUris: Object.freeze(JSON.parse(client.redirectUris) as string[]) as string[],
    tokensRevokedBefore: client.tokensRevokedBefore,
  });
}
