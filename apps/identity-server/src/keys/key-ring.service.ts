import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { calculateJwkThumbprint, JWK } from 'jose';
import { createPrivateKey, createPublicKey, generateKeyPair, KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { IsNull, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AppConfig, SigningAlgorithm } from '../config/app-config';
import { KeyEncryptionKeyError, KeyMaterial } from '../crypto/key-material';
import { isUniqueViolation } from '../database/errors';
import { KeyTimeline, publishedKeysAt, signingKeyAt } from './key-timeline';
import { PrivateKeyCipher } from './private-key-cipher';
import { SigningKeyEntity } from './signing-key.entity';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Seconds a retired key stays published past the access-token lifetime (clock skew of verifiers). */
const CLOCK_SKEW_SECONDS = 60;

/** A key as held in memory: the public JWK always, the private key once decrypted. */
export interface LoadedKey extends KeyTimeline {
  algorithm: SigningAlgorithm;
  publicJwk: JWK;
  sealedPrivateKey: string;
}

export interface PublicKeyInfo {
  kid: string;
  algorithm: SigningAlgorithm;
  createdAt: Date;
  activatesAt: Date;
  revokedAt: Date | null;
  signing: boolean;
  published: boolean;
}

/**
 * The signing keys: loaded from the database into memory, re-read every
 * `SIGNING_KEY_RELOAD_SECONDS` so that processes sharing a database see each
 * other's keys, and interpreted by the pure timeline in `key-timeline.ts`.
 */
@Injectable()
export class KeyRingService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(KeyRingService.name);
  private readonly cipher: PrivateKeyCipher;
  private keys: LoadedKey[] = [];
  private loadedAt = 0;
  private reloading: Promise<void> | undefined;
  private readonly privateKeys = new Map<string, KeyObject>();
  private readonly publicKeys = new Map<string, KeyObject>();

  constructor(
    @InjectRepository(SigningKeyEntity) private readonly rows: Repository<SigningKeyEntity>,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly material: KeyMaterial,
  ) {
    this.cipher = new PrivateKeyCipher(material.keyFor('signing-key-encryption'));
  }

  /**
   * Proves the key-encryption key is the one the stored keys were sealed with,
   * before any module uses it (init hooks run before every bootstrap hook, where
   * the bootstrap client's secret may be rewritten): a wrong or lost key would
   * otherwise start, report ready, and fail every token request.
   */
  async onModuleInit(): Promise<void> {
    await this.reload();
    const missingFile = this.material.generatedKeyFile;
    if (missingFile) {
      if (this.keys.length > 0)
        throw new KeyEncryptionKeyError(
          `KEY_ENCRYPTION_KEY is not set and KEY_ENCRYPTION_KEY_FILE (${missingFile}) does not exist, ` +
            `but the database holds ${this.keys.length} signing key(s) sealed with a key-encryption key: ` +
            'the file was lost or its path changed. Restore the file or set KEY_ENCRYPTION_KEY to that key ' +
            '(no new key was generated: it could not open them)',
        );
      this.material.keepGeneratedKey();
      return;
    }
    const unopened = this.keysToOpenAtStart().filter((key) => !this.opens(key));
    if (unopened.length > 0)
      throw new KeyEncryptionKeyError(
        `${this.material.source} does not open the signing keys stored in the database ` +
          `(kid ${unopened.map((key) => key.kid).join(', ')}): it is not the key they were sealed with`,
      );
  }

  /** On first start there is no key: make one that signs at once (no token exists yet to protect). */
  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    const now = new Date();
    if (!signingKeyAt(this.keys, now)) {
      await this.createKey(this.config.keys.algorithm, 0);
      return;
    }
    const newest = this.keys
      .filter((k) => k.revokedAt === null)
      .sort((a, b) => +a.activatesAt - +b.activatesAt)
      .pop();
    if (newest && newest.algorithm !== this.config.keys.algorithm) {
      this.logger.warn(
        `SIGNING_KEY_ALGORITHM is ${this.config.keys.algorithm} but the newest key is ${newest.algorithm}: rotating`,
      );
      await this.rotate();
    }
  }

  /** The key that signs now, with its decrypted private key. */
  async signingKey(): Promise<{ kid: string; algorithm: SigningAlgorithm; privateKey: KeyObject }> {
    await this.freshen();
    const key = signingKeyAt(this.keys, new Date());
    if (!key) throw new Error('no signing key is active');
    return { kid: key.kid, algorithm: key.algorithm, privateKey: this.privateKeyOf(key) };
  }

  /** The public keys to publish now (RFC 7517 JWK Set members). */
  async publishedJwks(): Promise<JWK[]> {
    await this.freshen();
    return publishedKeysAt(this.keys, new Date(), this.retentionSeconds()).map(
      (key) => key.publicJwk,
    );
  }

  /** The published public key with this kid, if any: what verifiers may trust. */
  async verificationKey(
    kid: string,
  ): Promise<{ algorithm: SigningAlgorithm; jwk: JWK } | undefined> {
    await this.freshen();
    const key = publishedKeysAt(this.keys, new Date(), this.retentionSeconds()).find(
      (k) => k.kid === kid,
    );
    return key && { algorithm: key.algorithm, jwk: key.publicJwk };
  }

  /**
   * The public key that verifies a token with this header, if its kid is
   * published now and the header's algorithm is that key's own (never the
   * token's choice). Used in-process by introspection and the `/api` guard.
   */
  async publicKey(lookup: { kid?: string; alg: string }): Promise<KeyObject | undefined> {
    if (!lookup.kid) return undefined;
    const key = await this.verificationKey(lookup.kid);
    if (!key || key.algorithm !== lookup.alg) return undefined;
    let publicKey = this.publicKeys.get(lookup.kid);
    if (!publicKey) {
      publicKey = createPublicKey({
        key: key.jwk as import('node:crypto').JsonWebKey,
        format: 'jwk',
      });
      this.publicKeys.set(lookup.kid, publicKey);
    }
    return publicKey;
  }

  /**
   * Creates the next key. It is published at once and signs after the lead
   * time, unless `immediate` (emergency rotation, when the current key is compromised).
   */
  async rotate(
    options: { immediate?: boolean; algorithm?: SigningAlgorithm } = {},
  ): Promise<PublicKeyInfo> {
    const lead = options.immediate ? 0 : this.config.keys.rotationLeadSeconds;
    const key = await this.createKey(options.algorithm ?? this.config.keys.algorithm, lead);
    return this.describe(key, new Date());
  }

  /**
   * Withdraws a key at once: it neither signs nor is published; tokens it
   * signed stop verifying. Revoking the key that signs now first puts an
   * immediate replacement in place, so that signing never stops.
   */
  async revoke(kid: string): Promise<boolean> {
    await this.reload();
    if (signingKeyAt(this.keys, new Date())?.kid === kid) await this.rotate({ immediate: true });
    const result = await this.rows.update({ kid, revokedAt: IsNull() }, { revokedAt: new Date() });
    await this.reload();
    return (result.affected ?? 0) > 0;
  }

  async list(): Promise<PublicKeyInfo[]> {
    await this.reload();
    const now = new Date();
    const all = await this.rows.find({ order: { activatesAt: 'ASC' } });
    return all.map((row) => this.describe(this.toLoaded(row), now));
  }

  /** When the newest key should be followed by the next one, for the automatic schedule. */
  async newestActivation(): Promise<Date | undefined> {
    await this.reload();
    return this.keys.reduce<Date | undefined>(
      (latest, k) => (!latest || k.activatesAt > latest ? k.activatesAt : latest),
      undefined,
    );
  }

  /** Re-reads the key table now. */
  async reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        const rows = await this.rows.find();
        this.keys = rows.map((row) => this.toLoaded(row));
        this.loadedAt = Date.now();
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private async freshen(): Promise<void> {
    if (Date.now() - this.loadedAt >= this.config.keys.reloadSeconds * 1000) await this.reload();
  }

  private retentionSeconds(): number {
    return this.config.tokens.accessTtlSeconds + CLOCK_SKEW_SECONDS;
  }

  /** Generates, encrypts and stores a key that is published now and signs after `leadSeconds`. */
  private async createKey(algorithm: SigningAlgorithm, leadSeconds: number): Promise<LoadedKey> {
    const { publicKey, privateKey } =
      algorithm === 'ES256'
        ? await generateKeyPairAsync('ec', { namedCurve: 'P-256' })
        : await generateKeyPairAsync('rsa', { modulusLength: this.config.keys.rsaBits });
    // Timestamps after generation (which can take a while for RSA), so the full lead time is kept.
    const createdAt = new Date();
    const activatesAt = new Date(createdAt.getTime() + leadSeconds * 1000);
    const exported = publicKey.export({ format: 'jwk' }) as JWK;
    // RFC 7638 thumbprint as kid: stable, unique, and derived from the key itself.
    const kid = await calculateJwkThumbprint(exported, 'sha256');
    const publicJwk: JWK = { ...exported, kid, alg: algorithm, use: 'sig' };
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const row: SigningKeyEntity = {
      kid,
      algorithm,
      publicJwk: JSON.stringify(publicJwk),
      privateKeyEncrypted: this.cipher.encrypt(kid, der),
      createdAt,
      activatesAt,
      revokedAt: null,
    };
    try {
      await this.rows.insert(row);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    this.privateKeys.set(kid, privateKey);
    await this.audit.record({
      type: 'key.created',
      details: { kid, algorithm, activatesAt: activatesAt.toISOString() },
    });
    this.logger.log({ kid, algorithm, activatesAt }, 'signing key created');
    await this.reload();
    return this.toLoaded(row);
  }

  private toLoaded(row: SigningKeyEntity): LoadedKey {
    return {
      kid: row.kid,
      algorithm: row.algorithm as SigningAlgorithm,
      createdAt: row.createdAt,
      activatesAt: row.activatesAt,
      revokedAt: row.revokedAt,
      publicJwk: JSON.parse(row.publicJwk) as JWK,
      sealedPrivateKey: row.privateKeyEncrypted,
    };
  }

  /** The key that signs and those waiting to; when none will sign, the newest stored key stands for all. */
  private keysToOpenAtStart(): LoadedKey[] {
    const now = new Date();
    const signer = signingKeyAt(this.keys, now);
    const pending = this.keys.filter((key) => key.revokedAt === null && key.activatesAt > now);
    const needed = signer ? [signer, ...pending] : pending;
    if (needed.length > 0 || this.keys.length === 0) return needed;
    return [this.keys.reduce((newest, key) => (key.createdAt > newest.createdAt ? key : newest))];
  }

  /** Whether the private key unseals (AES-GCM authenticates it) and parses; the cause is not kept. */
  private opens(key: LoadedKey): boolean {
    try {
      this.privateKeyOf(key);
      return true;
    } catch {
      return false;
    }
  }

  private privateKeyOf(key: LoadedKey): KeyObject {
    let privateKey = this.privateKeys.get(key.kid);
    if (!privateKey) {
      privateKey = createPrivateKey({
        key: this.cipher.decrypt(key.kid, key.sealedPrivateKey),
        format: 'der',
        type: 'pkcs8',
      });
      this.privateKeys.set(key.kid, privateKey);
    }
    return privateKey;
  }

  private describe(key: LoadedKey, now: Date): PublicKeyInfo {
    return {
      kid: key.kid,
      algorithm: key.algorithm,
      createdAt: key.createdAt,
      activatesAt: key.activatesAt,
      revokedAt: key.revokedAt,
      signing: signingKeyAt(this.keys, now)?.kid === key.kid,
      published: publishedKeysAt(this.keys, now, this.retentionSeconds()).some(
        (k) => k.kid === key.kid,
      ),
    };
  }
}
