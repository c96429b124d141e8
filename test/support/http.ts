export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

async function read<T>(response: Response): Promise<HttpResult<T>> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    /* not JSON: keep the text */
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

export function basic(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/** POSTs a form (pairs, so a parameter may be repeated on purpose). */
export async function postForm(
  url: string,
  params: Record<string, string> | Array<[string, string]>,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const body = new URLSearchParams(
    Array.isArray(params) ? params : Object.entries(params),
  ).toString();
  return read(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    }),
  );
}

export async function postRaw(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
): Promise<HttpResult> {
  return read(await fetch(url, { method: 'POST', headers, body }));
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return read(await fetch(url, { headers }));
}

/** A token request to `server` authenticated with HTTP Basic (client_secret_basic). */
export function tokenRequest(
  serverUrl: string,
  client: { clientId: string; secret: string },
  params: Record<string, string>,
): Promise<HttpResult> {
  return postForm(`${serverUrl}/oauth/token`, params, {
    authorization: basic(client.clientId, client.secret),
  });
}

/** Decodes a JWT's header and payload without verifying it. */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
  };
}

/** A call to `/api`: JSON in and out, with a bearer token when given. */
export async function apiRequest(
  serverUrl: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return read(
    await fetch(`${serverUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}
