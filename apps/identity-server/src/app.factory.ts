import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { json, urlencoded } from 'express';
import typeis from 'type-is';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import { ClientsModule } from './clients/clients.module';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { ProtocolEndpoints } from './oauth/protocol-endpoints';
import type { ProxyTrust } from './oauth/request/request-context';
import { FORM_BODY_LIMITS } from './oauth/request/form-body';

/**
 * Builds the identity server: the one place that configures HTTP (the OAuth
 * form endpoints in front of Express, Express's body parsers, proxies,
 * logger). Used by `main.ts` and by the tests.
 */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(apiValidationPipe());

  const express = app.getHttpAdapter().getInstance() as {
    get(name: string): unknown;
    set(name: string, value: unknown): void;
    disable(name: string): void;
  };
  express.disable('x-powered-by');
  // Express hashes every response body for a weak ETag; token responses are no-store and
  // the API's are per caller, so that is CPU for nothing. (The JWKS, served before
  // Express, sets its own.)
  express.set('etag', false);
  express.set('trust proxy', config.trustProxyHops);
  // The token, revocation and introspection endpoints and the JWKS answer before Express
  // sees the request, with Express's own compiled `trust proxy` rule for the caller's address.
  app
    .get(ProtocolEndpoints)
    .attachTo(app.getHttpServer() as Server, express.get('trust proxy fn') as ProxyTrust);

  app.use(`/${API_PREFIX}`, apiResponsesAndBodies);
  // Forms of the browser flow (sign-in, consent, logout), with the OAuth endpoints' limits:
  // `extended: false` keeps repeated parameters as arrays (so they can be refused) and
  // never builds nested objects from `a[b]=c`.
  app.use(
    urlencoded({
      extended: false,
      limit: FORM_BODY_LIMITS.maxBytes,
      parameterLimit: FORM_BODY_LIMITS.maxParameters,
    }),
  );
  app.use(json({ limit: '64kb' }));
  app.use(
    (
      error: Error & { status?: number; type?: string },
      _req: Request,
      res: Response,
      next: NextFunction,
    ) => {
      // Body-parser failures happen before routing; answer them in the API's error format
      // (the OAuth form endpoints parse their own bodies: see ProtocolEndpoints).
      const status = error.status ?? 500;
      if (status >= 500) return next(error);
      res.status(status).json({
        statusCode: status,
        message:
          error.type === 'entity.too.large' ? 'request body too large' : 'malformed request body',
      });
    },
  );
  setUpApiDocumentation(app);
  keepConnectionsLongerThanClients(app);
  return app;
}

const API_PREFIX = 'api';

/**
 * What every `/api` request and answer share, before any body is parsed:
 * - answers are `Cache-Control: no-store`: they carry personal data, and one
 *   carries a client secret (RFC 6749 §5.1 asks the same of credentials);
 *   the OpenAPI page, which describes and grants nothing, stays cacheable;
 * - a body is JSON (SPEC) or nothing: any other content type is `415`, so a
 *   form-encoded body is not read as if it were the JSON one.
 */
function apiResponsesAndBodies(req: Request, res: Response, next: NextFunction): void {
  // `/api/docs`, its assets and `/api/docs-json`.
  if (!req.originalUrl.startsWith(`/${API_DOCS_PATH}`)) res.setHeader('Cache-Control', 'no-store');
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  // type-is, as for the OAuth forms: parameters and case do not matter (RFC 9110 §8.3.1).
  if (hasBody && !typeis.is(req.headers['content-type'] ?? '', ['application/json'])) {
    res.status(415).json({
      statusCode: 415,
      message: 'the request body must be application/json',
    });
    return;
  }
  next();
}

/**
 * Idle keep-alive connections are closed by the server after 65 s, longer than
 * clients and load balancers keep them (undici ~4 s, typical balancers 60 s):
 * the side that closes first must be the client, or a request sent on a
 * socket the server is closing fails with ECONNRESET.
 */
export function keepConnectionsLongerThanClients(app: INestApplication): void {
  const server = app.getHttpServer() as { keepAliveTimeout: number; headersTimeout: number };
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
}

/** Where the OpenAPI document of `/api` is served (public: it describes, it grants nothing). */
export const API_DOCS_PATH = 'api/docs';

/**
 * The OpenAPI document of `/api`, generated from the controllers and DTOs of
 * the modules that serve it, with its browsable page at `/api/docs` and the
 * JSON at `/api/docs-json`. The OAuth endpoints are specified by their RFCs
 * and the metadata document, not here.
 */
function setUpApiDocumentation(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tessera API')
      .setDescription(
        'Accounts, client registration and review, and the audit log. Bearer access tokens issued by Tessera.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
    { include: [AccountsModule, ClientsModule, AuditModule] },
  );
  SwaggerModule.setup(API_DOCS_PATH, app, document, { jsonDocumentUrl: `${API_DOCS_PATH}-json` });
}

/**
 * Validates the DTOs of `/api` (`@Body()`, `@Query()`, `@Param()` typed with a
 * class): fields the DTO does not declare are refused, not dropped, so a body
 * cannot mass-assign `status` or `passwordHash`; the answer is 400
 * `{statusCode, message: [...]}` (SPEC: `/api` errors carry both). The OAuth
 * form endpoints never reach Nest (see `ProtocolEndpoints`), and the browser
 * flow reads its forms with `@Req()`, which no pipe sees.
 */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Keep the defaults explicit: a non-object body (an array, a string) is refused too.
    forbidUnknownValues: true,
  });
}
