import { Public } from '@tessera/auth-guard';
import { Controller, Get, Header } from '@nestjs/common';
import { ScopeCatalogueService } from '../clients/scope-catalogue.service';
import { AppConfig } from '../config/app-config';
import { JWKS_PATH } from '../keys/jwks.publisher';
import { SUPPORTED_SIGNING_ALGORITHMS } from '../keys/jwt-signer';
import { PKCE_METHOD } from './authorize/pkce';
import { CLIENT_AUTH_METHODS } from './client-auth/client-authenticator';
import { GrantRegistry } from './grants/grant-registry';
import { OAUTH_PATHS } from './oauth-paths';
import { OidcMetadata } from './oidc/oidc-metadata';
import { OIDC_PATHS } from './oidc/oidc-paths';

/**
 * RFC 8414 authorization server metadata with the OpenID Connect Discovery 1.0
 * members: one document, served at both well-known addresses.
 */
// Protocol endpoint: open to callers without a bearer token (they authenticate otherwise or not at all).
@Public()
@Controller()
export class MetadataController {
  constructor(
    private readonly config: AppConfig,
    private readonly grants: GrantRegistry,
    private readonly catalogue: ScopeCatalogueService,
    private readonly oidc: OidcMetadata,
  ) {}

  @Get([OAUTH_PATHS.metadata, OIDC_PATHS.configuration])
  @Header('Cache-Control', 'public, max-age=300')
  async metadata(): Promise<Record<string, unknown>> {
    const base = this.config.issuer;
    return {
      issuer: base,
      authorization_endpoint: `${base}/${OAUTH_PATHS.authorization}`,
      token_endpoint: `${base}/${OAUTH_PATHS.token}`,
      jwks_uri: `${base}/${JWKS_PATH}`,
      revocation_endpoint: `${base}/${OAUTH_PATHS.revocation}`,
      introspection_endpoint: `${base}/${OAUTH_PATHS.introspection}`,
      grant_types_supported: this.grants.supported,
      // The authorization code flow only (RFC 9700 §2.1.2: no implicit), PKCE S256 only (§2.1.1).
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: [PKCE_METHOD],
      // RFC 9207: every authorization response carries `iss`.
      authorization_response_iss_parameter_supported: true,
      // OIDC RP-Initiated Logout 1.0 §2.1.
      end_session_endpoint: `${base}/${OAUTH_PATHS.endSession}`,
      token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      scopes_supported: (await this.catalogue.list()).map((scope) => scope.name),
      access_token_signing_alg_values_supported: SUPPORTED_SIGNING_ALGORITHMS,
      ...(await this.oidc.fields()),
    };
  }
}
