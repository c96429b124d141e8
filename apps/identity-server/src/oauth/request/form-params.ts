import type { IncomingMessage } from 'node:http';
import typeis from 'type-is';
import { invalidRequest } from '../errors/oauth.error';

/** A request whose form body has been read into `body` (by `readFormBody`, or Express's parser). */
export type ParsedRequest = IncomingMessage & { body?: unknown };

/**
 * The parameters of an OAuth form request (RFC 6749 §3.2): only
 * `application/x-www-form-urlencoded` bodies are accepted, a parameter sent
 * twice is an error (§3.1), a parameter sent empty counts as absent (§3.1),
 * and unknown parameters are ignored.
 */
export class FormParams {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  static fromRequest(req: ParsedRequest): FormParams {
    // type-is answers null for a request without a body: that is refused as well.
    if (!typeis(req, ['application/x-www-form-urlencoded'])) {
      throw invalidRequest('the body must be application/x-www-form-urlencoded');
    }
    const body: unknown = req.body;
    const values = new Map<string, string>();
    if (body && typeof body === 'object') {
      for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
        if (Array.isArray(value)) throw invalidRequest(`parameter ${name} is repeated`);
        if (typeof value === 'string' && value !== '') values.set(name, value);
      }
    }
    return new FormParams(values);
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  require(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) throw invalidRequest(`parameter ${name} is missing`);
    return value;
  }
}
