import type { Request } from 'express';

/**
 * The query string's pairs, in order, repeats kept (the parsed `req.query` may
 * merge them). The query is everything after the FIRST `?`: a later `?` is an
 * ordinary query character (RFC 3986 §3.4), as in `state=back?to=/orders`.
 */
export function queryPairs(req: Request): Array<[string, string]> {
  const url = req.originalUrl;
  const start = url.indexOf('?');
  return start < 0 ? [] : [...new URLSearchParams(url.slice(start + 1))];
}

/**
 * A urlencoded form body's pairs, repeats kept (the parser keeps them as
 * arrays, see app.factory.ts). Any other body counts as no parameters.
 */
export function formPairs(req: Request): Array<[string, string]> {
  if (!req.is('application/x-www-form-urlencoded')) return [];
  const body: unknown = req.body;
  const pairs: Array<[string, string]> = [];
  if (body && typeof body === 'object') {
    for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
      for (const item of Array.isArray(value) ? value : [value])
        if (typeof item === 'string') pairs.push([name, item]);
    }
  }
  return pairs;
}

/** One form field: its value when sent exactly once as text, else undefined. */
export function formField(req: Request, name: string): string | undefined {
  const values = formPairs(req).filter(([key]) => key === name);
  return values.length === 1 ? values[0][1] : undefined;
}
