import { Public } from '@tessera/auth-guard';
import { Controller, Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ASSETS } from './assets';

/** A year: the longest lifetime caches honour (RFC 9111 §5.2.2.1). */
const ONE_YEAR_SECONDS = 31_536_000;

/**
 * The pages' stylesheet and icon. Pages link to them with their content hash
 * (`?v=`), so such a URL never changes meaning and is cached for a year; any
 * other URL of them (an old hash, none) is revalidated, so an upgrade is seen
 * at once.
 */
// Public: the sign-in page needs them before anyone has signed in.
@Public()
@Controller('assets')
export class AssetsController {
  @Get(':file')
  serve(@Param('file') file: string, @Query('v') version: unknown, @Res() res: Response): void {
    const asset = ASSETS.get(file);
    if (!asset) throw new NotFoundException();
    res.setHeader('Content-Type', asset.contentType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // An SVG opened on its own is a document: it may do nothing but style itself.
    res.setHeader('Content-Security-Policy', asset.csp);
    res.setHeader(
      'Cache-Control',
      version === asset.hash
        ? `public, max-age=${ONE_YEAR_SECONDS}, immutable`
        : 'public, no-cache',
    );
    res.send(asset.body);
  }
}
