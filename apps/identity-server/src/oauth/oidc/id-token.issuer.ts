import { Injectable } from '@nestjs/common';
import { AccountPrincipal } from '../../accounts/account.types';
import { ClientPrincipal } from '../../clients/client.types';

/**
 * CONTRACT (issue 6): mints OpenID Connect ID tokens (Core 1.0 §2, §3.1.3.6):
 * `iss`, `sub`, `aud` = the client_id, `exp`, `iat`, `auth_time`, `nonce`
 * when the request had one, `at_hash` of the access token issued beside it,
 * and the claims of the `profile` and `email` scopes granted.
 */
export interface IdTokenInput {
  client: ClientPrincipal;
  user: AccountPrincipal;
  /** The granted scope (space-separated); decides which claims are added. */
  scope: string;
  nonce?: string;
  authTime: Date;
  /** The access token issued in the same response (for `at_hash`). */
  accessToken: string;
}

@Injectable()
export class IdTokenIssuer {
  async issue(input: IdTokenInput): Promise<string> {
    void input;
    throw new Error('IdTokenIssuer is not implemented yet');
  }
}
