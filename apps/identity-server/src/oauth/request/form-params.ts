import { invalidRequest } from '../errors/oauth.error';
import type { FormBody } from './form-body';

/**
 * The parameters of an OAuth form request (RFC 6749 §3.2): only
 * `application/x-www-form-urlencoded` bodies are accepted, a parameter sent
 * twice is an error (§3.1), a parameter sent empty counts as absent (§3.1),
 * and unknown parameters are ignored.
 */
export class FormParams {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** `body` as {@link readFormBody} read it: undefined when the request had no form body. */
  static fromBody(body: FormBody | undefined): FormParams {
    if (body === undefined)
      throw invalidRequest('the body must be application/x-www-form-urlencoded');
    const values = new Map<string, string>();
    for (const [name, value] of Object.entries(body)) {
      if (Array.isArray(value)) throw invalidRequest(`parameter ${name} is repeated`);
      if (value !== '') values.set(name, value);
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
