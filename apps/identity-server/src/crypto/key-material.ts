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
 * production, when it is absent, a generated one is kept in
 * `KEY_ENCRYPTION_KEY_FILE` with owner-only permissions, and a warning says so.
 */
@Injectable()
export class KeyMaterial {
  private readonly logger = new Logger(KeyMaterial.name);
  private readonly root: Buffer;
  private readonly derived = new Map<KeyPurpose, Buffer>();

  constructor(config: AppConfig) {
    this.root = config.keys.encryptionKey
      ? decodeKey(config.keys.encryptionKey)
      : this.loadOrCreateKeyFile(resolve(config.keys.encryptionKeyFile));
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

  private loadOrCreateKeyFile(path: string): Buffer {
    if (existsSync(path)) {
      const mode = statSync(path).mode & 0o777;
      if (mode & 0o077) {
        this.logger.warn(
          `key-encryption key file ${path} is readable by others (mode ${mode.toString(8)}); fixing to 600`,
        );
        chmodSync(path, 0o600);
      }
      return decodeKey(readFileSync(path, 'utf8').trim());
    }
    mkdirSync(dirname(path), { recursive: true });
    const key = randomBytes(32);
    // `wx`: never overwrite a key another process has just written.
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    this.logger.warn(
      `KEY_ENCRYPTION_KEY is not set: generated one in ${path} (mode 600). ` +
        'Anyone who reads that file can decrypt the signing keys; in production set KEY_ENCRYPTION_KEY.',
    );
    return key;
  }
}

function decodeKey(encoded: string): Buffer {
  const key = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32) throw new Error('the key-encryption key must be 32 bytes (base64)');
  return key;
}
