import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { OAuthError } from './oauth.error';

/**
 * Writes every error of the OAuth endpoints as RFC 6749 §5.2 JSON with
 * `Cache-Control: no-store`. An `OAuthError` is written as it is; a framework
 * 4xx becomes `invalid_request`; anything else becomes `server_error`, with
 * the cause in the log only.
 */
@Catch()
export class OAuthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OAuth');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const error = this.toOAuthError(exception);
    writeOAuthError(response, error);
  }

  private toOAuthError(exception: unknown): OAuthError {
    if (exception instanceof OAuthError) return exception;
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return new OAuthError('invalid_request', exception.message);
    }
    this.logger.error({ err: exception }, 'unexpected error in an OAuth endpoint');
    return new OAuthError('server_error', 'the server could not complete the request');
  }
}

/** The single serializer of OAuth errors (also used for body-parser failures before routing). */
export function writeOAuthError(response: Response, error: OAuthError): void {
  response.status(error.status);
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Pragma', 'no-cache');
  if (error.code === 'invalid_client')
    response.setHeader('WWW-Authenticate', 'Basic realm="tessera", charset="UTF-8"');
  if (error.retryAfterSeconds !== undefined)
    response.setHeader('Retry-After', String(error.retryAfterSeconds));
  response.json(
    error.description
      ? { error: error.code, error_description: error.description }
      : { error: error.code },
  );
}
