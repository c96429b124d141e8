import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { type LoggerOptions, stdSerializers } from 'pino';
import { AppConfig } from '../config/app-config';

/** Paths pino replaces with `[redacted]` wherever they appear in a log line. */
export const REDACTED_PATHS = [
  'password',
  'client_secret',
  'refresh_token',
  'access_token',
  'token',
  'authorization',
  '*.password',
  '*.client_secret',
  '*.refresh_token',
  '*.access_token',
  '*.token',
  '*.authorization',
  '*.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  // A failed query (TypeORM QueryFailedError, logged whole as `err`) carries its bound values,
  // and mysql2 the SQL with them inlined: password hashes, secret and refresh-token hashes,
  // sealed private keys. The statement with its placeholders (`err.query`) stays.
  'err.parameters',
  'err.sql',
  'err.driverError.sql',
];

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Structured JSON logs (pino): one line per request with its request id
 * (taken from a well-formed `X-Request-Id`, else generated, and echoed back).
 * Requests are logged by method and path only: no query string, no headers,
 * no body, so no secret can reach the log by that road; the redaction list
 * covers what code logs explicitly.
 */
export function httpLoggerOptions(config: AppConfig): Options {
  return {
    ...loggerOptions(config),
    genReqId: requestId,
    // pino-http binds `req` to a child logger on every request, whatever the level.
    // Unwrapped, the serializers read the raw objects directly instead of first
    // copying each into pino-std-serializers' full shape (headers included), which
    // cost about a tenth of the CPU of a small request (docs/performance.md).
    wrapSerializers: false,
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      requestLogLevel(res, err !== undefined),
  };
}

/** A request's log level: error for a 5xx, a failure, or a response that never finished. */
export function requestLogLevel(res: ServerResponse, failed = false): 'error' | 'info' {
  return failed || !res.writableFinished || res.statusCode >= 500 ? 'error' : 'info';
}

/** The logger's own options: level, redaction, and how a request and a response are written. */
export function loggerOptions(config: AppConfig): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: IncomingMessage & { id?: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url?.split('?')[0],
        remoteAddress: req.socket?.remoteAddress,
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: stdSerializers.err,
    },
  };
}

/** The request's id: a well-formed `X-Request-Id` it came with, else a new one; echoed back. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** The Nest side of request logging; the OAuth endpoints served before Nest use the same options. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ pinoHttp: httpLoggerOptions(config) }),
    }),
  ],
})
export class LoggingModule {}
