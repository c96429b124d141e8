import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { OAuthError } from '../errors/oauth.error';
import { FORM_BODY_LIMITS, readFormBody } from './form-body';

const FORM = 'application/x-www-form-urlencoded';

/** A request carrying `body` with these headers (Content-Length added unless given). */
function request(body: Buffer | string, headers: Record<string, string> = {}): IncomingMessage {
  const bytes = Buffer.from(body);
  const req = Readable.from([bytes]) as unknown as IncomingMessage & { complete: boolean };
  req.headers = { 'content-type': FORM, 'content-length': String(bytes.length), ...headers };
  req.complete = true;
  return req;
}

async function refusal(req: IncomingMessage): Promise<string> {
  const error = await readFormBody(req).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return `${(error as OAuthError).code}: ${(error as OAuthError).description}`;
}

describe('readFormBody', () => {
  it('decodes + and percent-escapes as UTF-8', async () => {
    const body = await readFormBody(request('a=x+y&b=%C3%A9t%C3%A9&c=%2B'));
    expect({ ...body }).toEqual({ a: 'x y', b: 'été', c: '+' });
  });

  it('refuses an escape that is not UTF-8, rather than reading it as U+FFFD', async () => {
    expect(await refusal(request('password=%FF'))).toBe(
      'invalid_request: the request body could not be parsed',
    );
    await refusal(request('a=1&b=%C3'));
    expect((await readFormBody(request('a=100%25')))?.a).toBe('100%');
  });

  it('refuses raw bytes that are not UTF-8, rather than reading them as U+FFFD', async () => {
    const raw = (text: string, byte: number) => Buffer.concat([Buffer.from(text), Buffer.of(byte)]);
    expect(await refusal(request(raw('grant_type=client_credentials', 0xff)))).toBe(
      'invalid_request: the request body could not be parsed',
    );
    await refusal(request(raw('password=', 0xc3)));
    await refusal(request(gzipSync(raw('a=', 0xfe)), { 'content-encoding': 'gzip' }));
    expect((await readFormBody(request(Buffer.from('a=été', 'utf8'))))?.a).toBe('été');
  });

  it('splits as the URL standard does: empty pieces skipped, a name alone is empty, the first = splits', async () => {
    const body = await readFormBody(request('&a=1&&b&c=x=y&=z&d=%3D&'));
    expect({ ...body }).toEqual({ a: '1', b: '', c: 'x=y', '': 'z', d: '=' });
  });

  it('counts empty pieces toward the parameter limit, and decodes + in a name', async () => {
    const limit = FORM_BODY_LIMITS.maxParameters;
    expect(await refusal(request(`a=1${'&'.repeat(limit)}`))).toBe(
      'invalid_request: the request body could not be parsed',
    );
    expect({ ...(await readFormBody(request(`a+b=1${'&'.repeat(limit - 1)}`))) }).toEqual({
      'a b': '1',
    });
  });

  it.each(['a=%zz', 'a=%4', 'a=%', 'a%E2=%82%AC', '%FF=1'])(
    'refuses %s, an escape that is broken or not UTF-8 in a name or a value',
    async (text) => {
      expect(await refusal(request(text))).toBe(
        'invalid_request: the request body could not be parsed',
      );
    },
  );

  it('keeps a repeated name as an array, so that it can be refused', async () => {
    const body = await readFormBody(request('scope=a&scope=b&scope=c'));
    expect(body?.scope).toEqual(['a', 'b', 'c']);
  });

  it('builds no prototype links from names', async () => {
    const body = await readFormBody(request('__proto__=x&constructor=y'));
    expect(Object.getPrototypeOf(body)).toBeNull();
    expect(body?.['__proto__']).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('reads nothing when the content type is not a form, or there is no body', async () => {
    expect(
      await readFormBody(request('{"a":1}', { 'content-type': 'application/json' })),
    ).toBeUndefined();
    const empty = request('');
    delete empty.headers['content-length'];
    expect(await readFormBody(empty)).toBeUndefined();
  });

  it('accepts charset=utf-8 in any case, and refuses another charset', async () => {
    expect(
      (await readFormBody(request('a=1', { 'content-type': `${FORM}; charset=UTF-8` })))?.a,
    ).toBe('1');
    expect(await refusal(request('a=1', { 'content-type': `${FORM}; charset=iso-8859-1` }))).toBe(
      'invalid_request: the request body could not be parsed',
    );
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('inflates a %s body', async (encoding, compress) => {
    const body = await readFormBody(request(compress('a=1&b=2'), { 'content-encoding': encoding }));
    expect({ ...body }).toEqual({ a: '1', b: '2' });
  });

  it('refuses an unknown encoding, and a body that does not decode', async () => {
    await refusal(request('a=1', { 'content-encoding': 'x-unknown' }));
    await refusal(request('a=1', { 'content-encoding': 'gzip' }));
  });

  it('refuses a body over the limit, declared or inflated', async () => {
    const big = `a=${'x'.repeat(FORM_BODY_LIMITS.maxBytes)}`;
    await refusal(request(big));
    await refusal(request(gzipSync(big), { 'content-encoding': 'gzip' }));
    const exact = `a=${'x'.repeat(FORM_BODY_LIMITS.maxBytes - 2)}`;
    expect((await readFormBody(request(exact)))?.a).toHaveLength(FORM_BODY_LIMITS.maxBytes - 2);
  });

  it('refuses more than the parameter limit', async () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `p${i}=1`).join('&');
    expect(
      Object.keys((await readFormBody(request(names(FORM_BODY_LIMITS.maxParameters)))) ?? {}),
    ).toHaveLength(FORM_BODY_LIMITS.maxParameters);
    await refusal(request(names(FORM_BODY_LIMITS.maxParameters + 1)));
  });
});
