import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import typeis from 'type-is';
import { invalidRequest, OAuthError } from '../errors/oauth.error';

/** Limits of an OAuth form body: RFC 6749 requests are a handful of short parameters. */
export const FORM_BODY_LIMITS = {
  /** Bytes of the decoded body (after any Content-Encoding). */
  maxBytes: 16 * 1024,
  maxParameters: 64,
} as const;

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** A form body as read: each name with its value, or its values when it was repeated. */
export type FormBody = Record<string, string | string[]>;

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Reads an `application/x-www-form-urlencoded` body for the OAuth endpoints,
 * or nothing (undefined) when the request has no body or another content type
 * (the caller refuses those).
 *
 * Written here rather than taken from body-parser: body-parser's general
 * machinery (raw-body, iconv-lite, qs, on-finished, http-errors) cost about as
 * much CPU per request as node:http itself, on endpoints whose bodies are a few
 * short parameters (docs/performance.md). The rules: UTF-8 only (RFC 6749
 * Appendix B; body-parser also took ISO-8859-1), gzip/deflate/br content
 * encodings, at most 16 KiB decoded and 64 parameters, `+` and
 * percent-escapes decoded, and an escape that is not UTF-8 refused (where qs
 * kept it as text and URLSearchParams would turn it into U+FFFD, so that two
 * different secrets read the same). A repeated name is kept as an array so
 * that it can be refused. Every violation is `invalid_request`.
 */
export async function readFormBody(req: IncomingMessage): Promise<FormBody | undefined> {
  const type = req.headers['content-type'];
  if (!typeis.hasBody(req)) return undefined;
  // The exact type, as nearly every client sends it, needs no parsing.
  if (type !== FORM_TYPE && !typeis(req, [FORM_TYPE])) return undefined;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type ?? '')?.[1];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') throw unparsable();
  const declared = Number(req.headers['content-length']);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  let source: Readable | NodeJS.ReadWriteStream = req;
  if (encoding !== 'identity') {
    const decoder = DECODERS[encoding];
    if (!decoder) throw unparsable();
    source = req.pipe(decoder());
  } else if (declared > FORM_BODY_LIMITS.maxBytes) {
    throw unparsable();
  }
  return parseForm(await readAtMost(req, source, FORM_BODY_LIMITS.maxBytes));
}

/**
 * The pairs of an `application/x-www-form-urlencoded` text, in one pass: split
 * on `&` (empty pieces skipped) and at the first `=`, then `+` and
 * percent-escapes decoded, as the WHATWG URL standard's parser does, except
 * that an escape which is not UTF-8 (or not an escape at all, `%zz`) is
 * refused instead of being kept as text or turned into U+FFFD.
 */
function parseForm(text: string): FormBody {
  const body: FormBody = Object.create(null) as FormBody;
  if (text === '') return body;
  let parameters = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (++parameters > FORM_BODY_LIMITS.maxParameters) throw unparsable();
    if (end > start) {
      const equals = text.indexOf('=', start);
      const split = equals < 0 || equals > end ? end : equals;
      const name = formDecode(text.slice(start, split));
      const value = split < end ? formDecode(text.slice(split + 1, end)) : '';
      const earlier = body[name];
      body[name] = earlier === undefined ? value : [...[earlier].flat(), value];
    }
    start = end + 1;
  }
  return body;
}

/** One name or value: `+` is a space, and escapes must spell UTF-8 (`invalid_request` otherwise). */
function formDecode(raw: string): string {
  const spaced = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw unparsable();
  }
}

/**
 * The decoded body as UTF-8 text, or `invalid_request` past `limit` bytes, on
 * a decoding error or when the request is cut off. What is left of a refused
 * body is discarded unread, and a decoder in between is stopped at once (a
 * small gzip body can inflate without end).
 */
function readAtMost(
  req: IncomingMessage,
  source: Readable | NodeJS.ReadWriteStream,
  limit: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = () => {
      if (settled) return;
      settled = true;
      source.removeAllListeners('data');
      if (source !== req) {
        req.unpipe(source as NodeJS.WritableStream);
        (source as Readable).destroy();
      }
      req.resume();
      reject(unparsable());
    };
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail();
      chunks.push(chunk);
    });
    source.once('error', fail);
    req.once('close', () => {
      if (!req.complete) fail();
    });
    source.once('end', () => {
      if (settled) return;
      settled = true;
      const body = Buffer.concat(chunks, size);
      // Bytes that are not UTF-8 are refused, not replaced by U+FFFD: two different
      // bodies must never read the same.
      if (isUtf8(body)) resolve(body.toString('utf8'));
      else reject(unparsable());
    });
  });
}

function unparsable(): OAuthError {
  return invalidRequest('the request body could not be parsed');
}
