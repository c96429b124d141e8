import { Injectable } from '@nestjs/common';
import { isUtf8 } from 'node:buffer';
import { AuditService } from '../../audit/audit.service';
import { ClientPrincipal } from '../../clients/client.types';
import { ClientsService } from '../../clients/clients.service';
import { invalidClient, invalidRequest } from '../errors/oauth.error';
import { FormParams } from '../request/form-params';
import { RequestContext } from '../request/request-context';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';
export const CLIENT_AUTH_METHODS: ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
];

interface PresentedCredentials {
  method: ClientAuthMethod;
  clientId: string;
  secret: string;
}

/**
 * Client authentication for the token, revocation and introspection
 * endpoints (RFC 6749 §2.3): `client_secret_basic` or `client_secret_post`,
 * never both at once. Only approved clients authenticate; every failure is the
 * same `invalid_client`, and is audited.
 */
@Injectable()
export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientsService,
    private readonly audit: AuditService,
  ) {}

  /** `authorization` is the request's `Authorization` header, if it has one. */
  async authenticate(
    authorization: string | undefined,
    params: FormParams,
    ctx: RequestContext,
  ): Promise<ClientPrincipal> {
    const presented = readCredentials(authorization, params);
    const client = await this.clients.authenticate(presented.clientId, presented.secret);
    if (!client || client.status !== 'approved') {
      await this.audit.record({
        type: 'client.authentication_failed',
        clientId: presented.clientId.slice(0, 64),
        ip: ctx.ip,
        details: {
          method: presented.method,
          reason: client ? `client is ${client.status}` : 'unknown client or wrong secret',
        },
      });
      throw invalidClient();
    }
    return client;
  }
}

function readCredentials(header: string | undefined, params: FormParams): PresentedCredentials {
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (header !== undefined) {
    const basic = parseBasic(header);
    // RFC 6749 §2.3: a client uses one authentication method per request.
    if (bodySecret !== undefined)
      throw invalidRequest('use either HTTP Basic or client_secret in the body, not both');
    if (bodyId !== undefined && bodyId !== basic.clientId)
      throw invalidRequest('client_id does not match the Basic credentials');
    return { method: 'client_secret_basic', ...basic };
  }
  if (bodyId === undefined || bodySecret === undefined)
    throw invalidClient('client authentication is required');
  return { method: 'client_secret_post', clientId: bodyId, secret: bodySecret };
}

/** RFC 6749 §2.3.1: `Basic base64(urlencode(id) ":" urlencode(secret))`. */
function parseBasic(header: string): { clientId: string; secret: string } {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
  if (!match) throw invalidClient('malformed Authorization header');
  const bytes = Buffer.from(match[1], 'base64');
  // Not UTF-8: refused, not read with U+FFFD in place of the bytes (two secrets would read the same).
  if (!isUtf8(bytes)) throw invalidClient('malformed Basic credentials');
  const decoded = bytes.toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('malformed Basic credentials');
  try {
    const clientId = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    if (!clientId || !secret) throw invalidClient('malformed Basic credentials');
    return { clientId, secret };
  } catch {
    throw invalidClient('malformed Basic credentials');
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
