/**
 * @tessera/auth-guard: validates Tessera access tokens in NestJS services.
 * This file is the library's only public entry.
 */
export { ACCESS_TOKEN_TYPE } from './access-token-claims';
export type { AccessTokenClaims } from './access-token-claims';
