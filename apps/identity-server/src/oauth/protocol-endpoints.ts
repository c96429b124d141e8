import { Injectable } from '@nestjs/common';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { JWKS_PATH, JwksDocument, JwksPublisher } from '../keys/jwks.publisher';
import { loggerOptions, requestId, requestLogLevel } from '../logging/logging.module';
import { IntrospectionEndpoint } from './endpoints/introspection.endpoint';
import { OAuthEndpoint } from './endpoints/oauth-endpoint';
import { RevocationEndpoint } from './endpoints/revocation.endpoint';
import { TokenEndpoint } from './endpoints/token.endpoint';
import { OAuthError } from './errors/oauth.error';
import { sendNoStoreJson, writeOAuthError } from './errors/oauth-error.writer';
import { OAUTH_PATHS } from './oauth-paths';
import { readFormBody } from './request/form-body';
import { FormParams } from './request/form-params';
import { ProxyTrust, requestContext } from './request/request-context';

/**
 * Serves the token, revocation and introspection endpoints, and the JWKS,
 * straight from `node:http`, in front of the Nest application on the same
 * server.
 *
 * These are the platform's hot path (every service call starts with a token,
 * many end with an introspection, every verifier starts with the JWKS) and
 * they need none of what Nest and
 * Express add per request: no guard (clients authenticate in the body or with
 * Basic), no pipe, no cookie, no view. Going through both cost 0.35 ms of CPU
 * per request before any work was done (docs/performance.md), more than an
 * RS256 signature. Here a request is matched by exact path, then method, its
 * form body read by {@link readFormBody} (body-parser's rules, without its
 * general machinery), logged as pino-http logs the others (same id, same line,
 * same redaction), and answered by the endpoint classes and the error writer
 * that define the protocol. Another method on one of these paths gets 405
 * with `Allow`, or 204 for OPTIONS. Everything else goes on to Express,
 * including near misses: these paths are matched exactly, so `/oauth/token/`
 * or `/OAUTH/TOKEN` get Express's 404 (Express itself would have folded them).
 */
@Injectable()
export class ProtocolEndpoints {
  private readonly routes: ReadonlyMap<string, OAuthEndpoint>;
  private readonly jwksPath = `/${JWKS_PATH}`;
  private readonly logger: Logger;
  private trust: ProxyTrust = () => false;

  constructor(
    token: TokenEndpoint,
    revocation: RevocationEndpoint,
    introspection: IntrospectionEndpoint,
    private readonly jwks: JwksPublisher,
    config: AppConfig,
  ) {
    this.routes = new Map<string, OAuthEndpoint>([
      [`/${OAUTH_PATHS.token}`, token],
      [`/${OAUTH_PATHS.revocation}`, revocation],
      [`/${OAUTH_PATHS.introspection}`, introspection],
    ]);
    this.logger = pino(loggerOptions(config));
  }

  /**
   * Puts these endpoints in front of the one request listener `server` has
   * (Express); `trust` is the proxy rule Express applies to `req.ip`.
   */
  attachTo(server: Server, trust: ProxyTrust): void {
    const listeners = server.listeners('request') as RequestListener[];
    if (listeners.length !== 1)
      throw new Error(`expected one request listener (Express), found ${listeners.length}`);
    const [express] = listeners;
    this.trust = trust;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const path = pathOf(req.url);
      const endpoint = this.routes.get(path);
      if (endpoint) {
        if (req.method === 'POST')
          this.serve(endpoint, req, res).catch((error: unknown) => this.abort(error, req, res));
        else this.refuseMethod(req, res, 'POST, OPTIONS');
      } else if (path === this.jwksPath) {
        if (req.method === 'GET' || req.method === 'HEAD')
          this.serveJwks(req, res).catch((error: unknown) => this.abort(error, req, res));
        else this.refuseMethod(req, res, 'GET, HEAD, OPTIONS');
      } else express.call(server, req, res);
    });
  }

  private async serve(
    endpoint: OAuthEndpoint,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    this.logRequest(req, res);
    try {
      const body = await endpoint.handle({
        params: FormParams.fromBody(await readFormBody(req)),
        authorization: req.headers.authorization,
        ctx: requestContext(req, this.trust),
      });
      sendNoStoreJson(res, 200, body);
    } catch (error) {
      if (!res.headersSent) writeOAuthError(res, this.toOAuthError(error, req));
    }
  }

  /** The JWK Set, with its validator: a verifier revalidating an unchanged set gets 304 (RFC 9110 §13.1.2). */
  private async serveJwks(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.logRequest(req, res);
    let doc: JwksDocument;
    try {
      doc = await this.jwks.current();
    } catch (error) {
      // The key ring could not be read (database down): Nest's answer to an unexpected error.
      this.logger.error({ req, err: error }, 'the JWKS could not be read');
      sendNoStoreJson(res, 500, { statusCode: 500, message: 'Internal server error' });
      return;
    }
    res.setHeader('Content-Type', 'application/jwk-set+json');
    res.setHeader('Cache-Control', this.jwks.cacheControl);
    res.setHeader('ETag', doc.etag);
    if (noneMatchHits(req.headers['if-none-match'], doc.etag)) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.setHeader('Content-Length', doc.body.length);
    res.statusCode = 200;
    if (req.method === 'HEAD') res.end();
    else res.end(doc.body);
  }

  /**
   * A method these paths do not take: 405 with the methods they do take in
   * `Allow` (RFC 9110 §15.5.6), Nest's error body; OPTIONS gets 204 with the
   * same `Allow` (§9.3.7). No CORS headers: no browser origin is trusted here.
   */
  private refuseMethod(req: IncomingMessage, res: ServerResponse, allow: string): void {
    this.logRequest(req, res);
    res.setHeader('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.statusCode = 204;
      res.end();
      return;
    }
    sendNoStoreJson(res, 405, { statusCode: 405, message: 'Method Not Allowed' });
  }

  /** The last resort, when even the error could not be written: log it and drop the connection. */
  private abort(error: unknown, req: IncomingMessage, res: ServerResponse): void {
    this.logger.error({ req, err: error }, 'a protocol endpoint could not answer');
    res.destroy();
  }

  /** pino-http's line, with its id and level rules: `request completed`, at error for a 5xx or an abort. */
  private logRequest(req: IncomingMessage, res: ServerResponse): void {
    req.id = requestId(req, res);
    const started = performance.now();
    // `close` comes after `finish`, or alone when the client went away first.
    res.once('close', () => {
      const completed = res.writableFinished;
      const level = requestLogLevel(res);
      if (!this.logger.isLevelEnabled(level)) return;
      const responseTime = Math.round(performance.now() - started);
      this.logger[level](
        { req, res, responseTime },
        completed ? 'request completed' : 'request aborted',
      );
    });
  }

  /** An `OAuthError` as it is; anything else is `server_error`, with the cause in the log only. */
  private toOAuthError(error: unknown, req: IncomingMessage): OAuthError {
    if (error instanceof OAuthError) return error;
    this.logger.error({ req, err: error }, 'unexpected error in an OAuth endpoint');
    return new OAuthError('server_error', 'the server could not complete the request');
  }
}

/**
 * Whether an `If-None-Match` field names the current representation (RFC 9110
 * §13.1.2): `*`, or a list of entity tags of which one equals `etag` by the
 * weak comparison (§8.8.3.2: `W/"x"` and `"x"` are the same tag).
 *
 * Not Express's `fresh` package: it answers in full whenever the request says
 * `Cache-Control: no-cache`, and the Fetch standard adds that header to every
 * request that carries `If-None-Match` (Node's `fetch` included), so such a
 * verifier would never get its 304. No-cache asks for validation at the
 * origin (RFC 9111 §5.2.1.4), and this is the origin: a 304 is that validation.
 */
export function noneMatchHits(field: string | undefined, etag: string): boolean {
  if (field === undefined) return false;
  if (field.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const [, tag] of field.matchAll(/(?:^|,)\s*(?:W\/)?("[^"]*")\s*(?=,|$)/g))
    if (tag === opaque) return true;
  return false;
}

function pathOf(url: string | undefined): string {
  if (!url) return '';
  // The absolute form (`POST http://host/oauth/token`), which a server must accept
  // (RFC 9112 §3.2.2): what a client behind a forward proxy may send.
  if (url.charCodeAt(0) !== 0x2f /* / */) return absolutePathOf(url);
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function absolutePathOf(url: string): string {
  if (!/^https?:\/\//i.test(url)) return '';
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
