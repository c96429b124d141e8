import { FormParams } from '../request/form-params';
import { RequestContext } from '../request/request-context';

/** What a form-posting OAuth endpoint (token, revocation, introspection) is given. */
export interface OAuthEndpointRequest {
  params: FormParams;
  /** The `Authorization` header, if any (client_secret_basic). */
  authorization: string | undefined;
  ctx: RequestContext;
}

/**
 * One form-posting OAuth endpoint: it answers 200 with the JSON it returns, or
 * throws (an `OAuthError` is written as RFC 6749 §5.2 JSON). The HTTP around
 * it is {@link ProtocolEndpoints}'s.
 */
export interface OAuthEndpoint {
  handle(request: OAuthEndpointRequest): Promise<object>;
}
