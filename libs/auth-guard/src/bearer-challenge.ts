import { HttpException, HttpStatus } from '@nestjs/common';

/** RFC 6750 §3.1 error codes. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

const STATUS: Record<BearerErrorCode, number> = {
  invalid_request: HttpStatus.BAD_REQUEST,
  invalid_token: HttpStatus.UNAUTHORIZED,
  insufficient_scope: HttpStatus.FORBIDDEN,
};

/** Quotes a value for an auth-param (RFC 9110 §5.6.4); our values never hold quotes, but be safe. */
const quote = (value: string) => `"${value.replace(/["\\]/g, '')}"`;

/**
 * An RFC 6750 refusal: the HTTP status, the `WWW-Authenticate: Bearer`
 * challenge, and a JSON body with `statusCode` and `message`. Without an error
 * code it is the bare challenge of a request that sent no token (§3.1).
 */
export class BearerChallengeException extends HttpException {
  readonly challenge: string;

  constructor(realm: string, error?: BearerErrorCode, description?: string, scope?: string[]) {
    const status = error ? STATUS[error] : HttpStatus.UNAUTHORIZED;
    const params = [`realm=${quote(realm)}`];
    if (error) params.push(`error=${quote(error)}`);
    if (description) params.push(`error_description=${quote(description)}`);
    if (scope?.length) params.push(`scope=${quote(scope.join(' '))}`);
    super(
      {
        statusCode: status,
        message: description ?? 'authentication required',
        ...(error ? { error } : {}),
      },
      status,
    );
    this.challenge = `Bearer ${params.join(', ')}`;
  }
}
