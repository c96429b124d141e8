/** Where the OpenID Connect endpoints live, relative to the issuer (advertised in the discovery document). */
export const OIDC_PATHS = {
  // OpenID Connect Discovery 1.0 §4: the issuer followed by this path.
  configuration: '.well-known/openid-configuration',
  userinfo: 'oauth/userinfo',
} as const;
