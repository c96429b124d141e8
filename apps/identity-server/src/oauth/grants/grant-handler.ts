import { ClientPrincipal } from '../../clients/client.types';
import { FormParams } from '../request/form-params';
import { RequestContext } from '../request/request-context';
import { TokenResponse } from '../tokens/token-response';

/**
 * One OAuth grant. The token endpoint has already parsed the form,
 * authenticated the client and checked that this client is allowed this grant.
 * A new grant is one file implementing this and one line in `GRANT_HANDLERS`.
 */
export interface GrantHandler {
  readonly grantType: string;
  handle(params: FormParams, client: ClientPrincipal, ctx: RequestContext): Promise<TokenResponse>;
}
