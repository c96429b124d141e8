import { BearerChallengeException } from '@tessera/auth-guard';
import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

/**
 * Writes an RFC 6750 §3 refusal of a protocol endpoint that takes a bearer
 * token (userinfo, Core 1.0 §5.3.3): the status, the `WWW-Authenticate: Bearer`
 * challenge, `Cache-Control: no-store`, and a JSON body with the same `error`
 * and `error_description` (none for the bare challenge of a request without a token).
 */
@Catch(BearerChallengeException)
export class BearerChallengeFilter implements ExceptionFilter {
  catch(exception: BearerChallengeException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = exception.getResponse() as { error?: string; message?: string };
    response.status(exception.getStatus());
    response.setHeader('WWW-Authenticate', exception.challenge);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Pragma', 'no-cache');
    response.json(body.error ? { error: body.error, error_description: body.message } : {});
  }
}
