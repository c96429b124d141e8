/** Where the OAuth endpoints live, relative to the issuer (advertised in the RFC 8414 metadata). */
export const OAUTH_PATHS = {
  metadata: '.well-known/oauth-authorization-server',
  authorization: 'oauth/authorize',
  endSession: 'logout',
  token: 'oauth/token',
  revocation: 'oauth/revoke',
  introspection: 'oauth/introspect',
} as const;
