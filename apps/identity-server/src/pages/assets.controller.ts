import { Public } from '@tessera/auth-guard';
import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { STYLESHEET, STYLESHEET_HASH } from './stylesheet';

/** A year: the longest lifetime caches honour (RFC 9111 §5.2.2.1). */
const ONE_YEAR_SECONDS = 31_536_000;

/**
 * The pages' stylesheet. Pages link to it with its content hash (`?v=`), so
 * that URL never changes meaning and is cached for a year; any other URL of
 * it (an old hash, none) is revalidated, so an upgrade is seen at once.
 */
// Public: the sign-in page needs it before anyone has signed in.
@Public()
@Controller('assets')
export class AssetsController {
  @Get('tessera.css')
  stylesheet(@Query('v') version: unknown, @Res() res: Response): void {
    res.setHeader('Content-Type', 'text/css; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader(
      'Cache-Control',
      version === STYLESHEET_HASH
        ? `public, max-age=${ONE_YEAR_SECONDS}, immutable`
        : 'public, no-cache',
    );
    res.send(STYLESHEET);
  }
}
