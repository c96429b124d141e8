import { Public } from '@tessera/auth-guard';
import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { KeyRingService } from './key-ring.service';

export const JWKS_PATH = '.well-known/jwks.json';

/** A serialized JWK Set and its strong validator. */
interface JwksDocument {
  kids: string;
  body: Buffer;
  etag: string;
}

/** RFC 7517 JWK Set: the public parts of the current, upcoming and recently retired keys. */
// Protocol endpoint: open to callers without a bearer token (they authenticate otherwise or not at all).
@Public()
@Controller()
export class JwksController {
  private readonly cacheControl: string;
  /**
   * The last document served. A kid names one immutable public key, so the
   * same list of kids is the same document: it is serialized again only when
   * a key is published or withdrawn (rotation, revocation, reload), not per request.
   */
  private cached?: JwksDocument;

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

  @Get(JWKS_PATH)
  async jwks(@Req() req: Request, @Res() res: Response): Promise<void> {
    const doc = this.document(await this.ring.publishedJwks());
    res.setHeader('Content-Type', 'application/jwk-set+json');
    res.setHeader('Cache-Control', this.cacheControl);
    res.setHeader('ETag', doc.etag);
    // RFC 9110 §13.1.2: a verifier revalidating an unchanged set gets 304 without the body.
    if (req.headers['if-none-match'] === doc.etag) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Length', doc.body.length);
    res.status(200).end(doc.body);
  }

  private document(keys: Array<{ kid?: string }>): JwksDocument {
    const kids = keys.map((key) => key.kid).join(' ');
    if (this.cached?.kids !== kids) {
      const body = Buffer.from(JSON.stringify({ keys }));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      this.cached = { kids, body, etag };
    }
    return this.cached;
  }
}
