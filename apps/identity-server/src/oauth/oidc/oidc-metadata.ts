import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { KeyRingService } from '../../keys/key-ring.service';
import { ID_TOKEN_CLAIMS, USER_CLAIMS } from './claims';
import { OIDC_PATHS } from './oidc-paths';

/**
 * The OpenID Connect Discovery 1.0 §3 members that the RFC 8414 document
 * lacks. The metadata controller adds them to its one document, served at
 * both well-known addresses.
 */
@Injectable()
export class OidcMetadata {
  constructor(
    private readonly config: AppConfig,
    private readonly ring: KeyRingService,
  ) {}

  async fields(): Promise<Record<string, unknown>> {
    return {
      userinfo_endpoint: `${this.config.issuer}/${OIDC_PATHS.userinfo}`,
      // Every user has one `sub` (their id) for every client (Core §8).
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: await this.idTokenAlgorithms(),
      claims_supported: [...ID_TOKEN_CLAIMS, ...USER_CLAIMS],
      claim_types_supported: ['normal'],
      // Not implemented, so said explicitly: request_uri_parameter_supported defaults to true (§3).
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    };
  }

  /**
   * The algorithms ID tokens are signed with: the one key ring signs every
   * JWT, so this is the algorithm of the key signing now, plus the configured
   * one while a rotation to it is pending. RS256 by default, as Core §15.1 and
   * Discovery §3 expect; with `SIGNING_KEY_ALGORITHM=ES256` ID tokens are
   * ES256 and this says so, rather than promising an RS256 that is not used.
   */
  private async idTokenAlgorithms(): Promise<string[]> {
    const { algorithm } = await this.ring.signingKey();
    return [...new Set([algorithm, this.config.keys.algorithm])];
  }
}
