import { Injectable } from '@nestjs/common';
import { urlencoded } from 'express';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { pinoHttp, type HttpLogger } from 'pino-http';
import { AppConfig } from '../config/app-config';
import { httpLoggerOptions } from '../logging/logging.module';
import { IntrospectionEndpoint } from './endpoints/introspection.endpoint';
import { OAuthEndpoint } from './endpoints/oauth-endpoint';
import { RevocationEndpoint } from './endpoints/revocation.endpoint';
import { TokenEndpoint } from './endpoints/token.endpoint';
import { invalidRequest, OAuthError } from './errors/oauth.error';
import { sendNoStoreJson, writeOAuthError } from './errors/oauth-exception.filter';
import { OAUTH_PATHS } from './oauth-paths';
import { FORM_PARSER_OPTIONS, FormParams, ParsedRequest } from './request/form-params';
import { requestContext } from './request/request-context';

type FormParser = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Serves the token, revocation and introspection endpoints straight from
 * `node:http`, in front of the Nest application on the same server.
 *
 * These three are the platform's hot path (every service call starts with a
 * token, many end with an introspection) and they need none of what Nest and
 * Express add per request: no guard (clients authenticate in the body or with
 * Basic), no pipe, no cookie, no view. Going through both cost 0.35 ms of CPU
 * per request before any work was done (docs/performance.md), more than an
 * RS256 signature. Here a request is matched by method and exact path, its
 * form body read by the same body-parser with the same limits, logged by
 * pino-http with the same options, and answered by the same endpoint classes
 * and error writer that define the protocol; everything else goes on to Express.
 */
@Injectable()
export class ProtocolEndpoints {
  private readonly routes: ReadonlyMap<string, OAuthEndpoint>;
  private readonly logRequest: HttpLogger;
  private readonly parseForm: FormParser = urlencoded(FORM_PARSER_OPTIONS);

  constructor(
    token: TokenEndpoint,
    revocation: RevocationEndpoint,
    introspection: IntrospectionEndpoint,
    private readonly config: AppConfig,
  ) {
    this.routes = new Map<string, OAuthEndpoint>([
      [`/${OAUTH_PATHS.token}`, token],
      [`/${OAUTH_PATHS.revocation}`, revocation],
      [`/${OAUTH_PATHS.introspection}`, introspection],
    ]);
    this.logRequest = pinoHttp(httpLoggerOptions(config));
  }

  /** Puts these endpoints in front of whatever already listens for requests on `server` (Express). */
  attachTo(server: Server): void {
    const others = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const endpoint = req.method === 'POST' ? this.routes.get(pathOf(req.url)) : undefined;
      if (endpoint) void this.serve(endpoint, req, res);
      else for (const listener of others) listener.call(server, req, res);
    });
  }

  private async serve(
    endpoint: OAuthEndpoint,
    req: ParsedRequest,
    res: ServerResponse,
  ): Promise<void> {
    this.logRequest(req, res);
    try {
      await this.readForm(req, res);
      const body = await endpoint.handle({
        params: FormParams.fromRequest(req),
        authorization: req.headers.authorization,
        ctx: requestContext(req, this.config.trustProxyHops),
      });
      sendNoStoreJson(res, 200, body);
    } catch (error) {
      if (!res.headersSent) writeOAuthError(res, this.toOAuthError(error, req));
    }
  }

  private readForm(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return new Promise((resolve, reject) =>
      this.parseForm(req, res, (error?: unknown) => {
        if (!error) return resolve();
        const status = (error as { status?: number }).status ?? 500;
        // A body that is malformed, too large or in an unsupported charset is the caller's fault.
        reject(
          status < 500
            ? invalidRequest('the request body could not be parsed')
            : (error as Error),
        );
      }),
    );
  }

  /** An `OAuthError` as it is; anything else is `server_error`, with the cause in the log only. */
  private toOAuthError(error: unknown, req: IncomingMessage): OAuthError {
    if (error instanceof OAuthError) return error;
    (req as IncomingMessage & { log?: HttpLogger['logger'] }).log?.error(
      { err: error },
      'unexpected error in an OAuth endpoint',
    );
    return new OAuthError('server_error', 'the server could not complete the request');
  }
}

function pathOf(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
