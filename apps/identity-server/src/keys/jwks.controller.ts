import { Public } from '@tessera/auth-guard';
import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config';
import { KeyRingService } from './key-ring.service';

export const JWKS_PATH = '.well-known/jwks.json';

/** RFC 7517 JWK Set: the public parts of the current, upcoming and recently retired keys. */
// Protocol endpoint: open to callers without a bearer token (they authenticate otherwise or not at all).
@Public()
@Controller()
export class JwksController {
  constructor(
    private readonly ring: KeyRingService,
    private readonly config: AppConfig,
  ) {}

  @Get(JWKS_PATH)
  @Header('Content-Type', 'application/jwk-set+json')
  async jwks(@Res({ passthrough: true }) res: Response): Promise<{ keys: unknown[] }> {
    // Verifiers may cache the set, but not for longer than half of the window
    // between a key's publication (after our own reload) and its first use.
    const { rotationLeadSeconds, reloadSeconds } = this.config.keys;
    const maxAge = Math.min(
      300,
      Math.max(0, Math.floor((rotationLeadSeconds - reloadSeconds) / 2)),
    );
    res.setHeader('Cache-Control', `public, max-age=${maxAge}`);
    return { keys: await this.ring.publishedJwks() };
  }
}
