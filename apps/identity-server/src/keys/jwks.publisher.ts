import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { KeyRingService } from './key-ring.service';

export const JWKS_PATH = '.well-known/jwks.json';

/** A serialized JWK Set and its strong validator. */
export interface JwksDocument {
  body: Buffer;
  etag: string;
}

/**
 * RFC 7517 JWK Set: the public parts of the current, upcoming and recently
 * retired keys, as served at {@link JWKS_PATH} (by `ProtocolEndpoints`,
 * straight from `node:http`: verifiers fetch it on every cold start).
 */
@Injectable()
export class JwksPublisher {
  /** `Cache-Control` of the document. */
  readonly cacheControl: string;
  /**
   * The last document built. A kid names one immutable public key, so the
   * same list of kids is the same document: it is serialized again only when
   * a key is published or withdrawn (rotation, revocation, reload), not per request.
   */
  private cached?: JwksDocument & { kids: string };

  constructor(
    private readonly ring: KeyRingService,
    config: AppConfig,
  ) {
    // Verifiers may cache the set, but not for longer than half of the window
    // between a key's publication (after our own reload) and its first use.
    const { rotationLeadSeconds, reloadSeconds } = config.keys;
    const maxAge = Math.min(
      300,
      Math.max(0, Math.floor((rotationLeadSeconds - reloadSeconds) / 2)),
    );
    this.cacheControl = `public, max-age=${maxAge}`;
  }

  async current(): Promise<JwksDocument> {
    const keys = await this.ring.publishedJwks();
    const kids = keys.map((key) => key.kid).join(' ');
    if (this.cached?.kids !== kids) {
      const body = Buffer.from(JSON.stringify({ keys }));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      this.cached = { kids, body, etag };
    }
    return this.cached;
  }
}
