import type { ParsedRequest } from './form-params';

/** A request as the form parser leaves it: a form content type, a body length and `body`. For specs. */
export function formRequest(values: Record<string, unknown>): ParsedRequest {
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': '1',
    },
    body: values,
  } as unknown as ParsedRequest;
}
