import type { Request } from 'express';

/** The query string's pairs, in order, repeats kept (the parsed `req.query` may merge them). */
export function queryPairs(req: Request): Array<[string, string]> {
  const query = req.originalUrl.split('?')[1] ?? '';
  return [...new URLSearchParams(query)];
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
