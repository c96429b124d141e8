import { Injectable, Logger } from '@nestjs/common';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hkdfSync, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';

/** What a derived key is for; each purpose gets an independent key (HKDF info). */
export type KeyPurpose =
  | 'signing-key-encryption'
  | 'client-secret-hash'
  | 'refresh-token-hash'
  | 'refresh-token-seal'
  | 'authorization-code-hash'
  | 'browser-session-hash'
  | 'browser-csrf';

/**
 * The root secret (key-encryption key) and the purpose keys derived from it
 * with HKDF-SHA-256. The root comes from `KEY_ENCRYPTION_KEY`; outside
 * production, when it is absent, from `KEY_ENCRYPTION_KEY_FILE`. When that file
 * does not exist either, a key is generated in memory and written to the file
 * only by {@link keepGeneratedKey}, which the key ring calls once it has seen
 * that the database holds nothing sealed with an earlier key.
 */
@Injectable()
export class KeyMaterial {
  private readonly logger = new Logger(KeyMaterial.name);
  private readonly root: Buffer;
  private readonly derived = new Map<KeyPurpose, Buffer>();
  /** Where the root came from, for messages (never the key itself). */
  readonly source: string;
  /** The absolute path of the key file still to be written; unset once written or when loaded. */
  private unsavedKeyFile: string | undefined;

  constructor(config: AppConfig) {
    if (config.keys.encryptionKey) {
      this.root = decodeKey(config.keys.encryptionKey);
      this.source = 'KEY_ENCRYPTION_KEY';
      return;
    }
    const path = resolve(config.keys.encryptionKeyFile);
    this.source = `the key in KEY_ENCRYPTION_KEY_FILE (${path})`;
    if (existsSync(path)) {
      this.root = this.loadKeyFile(path);
    } else {
      this.root = randomBytes(32);
      this.unsavedKeyFile = path;
    }
  }

  /**
   * The path of the key file that did not exist at start, while the key
   * generated in its place is not yet written; `undefined` otherwise.
   */
  get generatedKeyFile(): string | undefined {
    return this.unsavedKeyFile;
  }

  /** A 32-byte key for one purpose, stable for a given root key. */
  keyFor(purpose: KeyPurpose): Buffer {
    let key = this.derived.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.root, Buffer.alloc(0), `tessera/${purpose}`, 32));
      this.derived.set(purpose, key);
    }
    return key;
  }

  /** Writes the generated key to its file (mode 600); only for a database with nothing sealed yet. */
  keepGeneratedKey(): void {
    const path = this.unsavedKeyFile;
    if (!path) return;
    mkdirSync(dirname(path), { recursive: true });
    try {
      // `wx`: never overwrite a key another process has just written.
      writeFileSync(path, `${this.root.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw new KeyEncryptionKeyError(
        `KEY_ENCRYPTION_KEY_FILE (${path}) was created by another process while this one started; start again to use it`,
      );
    }
    this.unsavedKeyFile = undefined;
    this.logger.warn(
      `KEY_ENCRYPTION_KEY is not set: generated one in ${path} (mode 600). ` +
        'Anyone who reads that file can decrypt the signing keys; in production set KEY_ENCRYPTION_KEY.',
    );
  }

  private loadKeyFile(path: string): Buffer {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) {
      this.logger.warn(
        `key-encryption key file ${path} is readable by others (mode ${mode.toString(8)}); fixing to 600`,
      );
      chmodSync(path, 0o600);
    }
    return decodeKey(readFileSync(path, 'utf8').trim());
  }
}

/** The key-encryption key cannot be used with this database; the message never holds a key. */
export class KeyEncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyEncryptionKeyError';
  }
}

function decodeKey(encoded: string): Buffer {
  const key = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32) throw new Error('the key-encryption key must be 32 bytes (base64)');
  return key;
}
