import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { json, urlencoded } from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { invalidRequest } from './oauth/errors/oauth.error';
import { writeOAuthError } from './oauth/errors/oauth-exception.filter';
import { OAUTH_PATHS } from './oauth/oauth-paths';

const OAUTH_FORM_PATHS = new Set(
  [OAUTH_PATHS.token, OAUTH_PATHS.revocation, OAUTH_PATHS.introspection].map((p) => `/${p}`),
);

/**
 * Builds the identity server: the one place that configures HTTP (body
 * parsers, proxies, logger, shutdown). Used by `main.ts` and by the tests.
 */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));

  const express = app.getHttpAdapter().getInstance() as {
    set(name: string, value: unknown): void;
    disable(name: string): void;
  };
  express.disable('x-powered-by');
  express.set('trust proxy', config.trustProxyHops);

  // Forms: `extended: false` keeps repeated parameters as arrays (so they can
  // be refused) and never builds nested objects from `a[b]=c`.
  app.use(urlencoded({ extended: false, limit: '16kb', parameterLimit: 64 }));
  app.use(json({ limit: '64kb' }));
  app.use(
    (
      error: Error & { status?: number; type?: string },
      req: Request,
      res: Response,
      next: NextFunction,
    ) => {
      // Body-parser failures happen before routing; answer them in the endpoint's own error format.
      const status = error.status ?? 500;
      if (status >= 500) return next(error);
      if (OAUTH_FORM_PATHS.has(req.path))
        return writeOAuthError(res, invalidRequest('the request body could not be parsed'));
      res
        .status(status)
        .json({
          statusCode: status,
          message:
            error.type === 'entity.too.large' ? 'request body too large' : 'malformed request body',
        });
    },
  );
  return app;
}
