import type { ServerResponse } from 'node:http';
import { OAuthError } from './oauth.error';

/** The single serializer of OAuth errors (RFC 6749 §5.2), with the challenge and Retry-After they imply. */
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
