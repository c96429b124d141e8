import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
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
    const response = host.switchToHttp().getResponse<ServerResponse>();
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
export function writeOAuthError(response: ServerResponse, error: OAuthError): void {
  const headers: Record<string, string> = {};
  if (error.code === 'invalid_client')
    headers['WWW-Authenticate'] = 'Basic realm="tessera", charset="UTF-8"';
  if (error.retryAfterSeconds !== undefined)
    headers['Retry-After'] = String(error.retryAfterSeconds);
  const body = error.description
    ? { error: error.code, error_description: error.description }
    : { error: error.code };
  sendNoStoreJson(response, error.status, body, headers);
}

/**
 * Writes a JSON answer of an OAuth endpoint on a plain `node:http` response
 * (an Express response is one too): `Cache-Control: no-store` and `Pragma:
 * no-cache` (RFC 6749 §5.1), the length, and the body. The body goes as a
 * string: node:http then sends it with the headers in one write, where a
 * Buffer would take a second chunk and a `writev`.
 */
export function sendNoStoreJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Pragma', 'no-cache');
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(payload));
  response.end(payload);
}
