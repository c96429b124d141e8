/**
 * @tessera/auth-guard: validates Tessera access tokens in NestJS services and
 * enforces scopes, roles and permissions. This file is the only public entry.
 */
export { AuthGuardModule } from './auth-guard.module';
export { AUTH_GUARD_OPTIONS } from './auth-guard.module-definition';
export type {
  AccessTokenAlgorithm,
  AuthGuardModuleOptions,
  KeyLookup,
  TokenIntrospector,
  VerificationKeyResolver,
} from './auth-guard.options';
export { ACCESS_TOKEN_TYPE } from './access-token-claims';
export type { AccessTokenClaims } from './access-token-claims';
export type { Principal } from './principal';
export { Public } from './decorators/public.decorator';
export {
  RequireAnyPermission,
  RequireAnyRole,
  RequireAnyScope,
  RequirePermissions,
  RequireRoles,
  RequireScopes,
} from './decorators/requirements.decorator';
export { RequireActiveToken } from './decorators/require-active-token.decorator';
export { CurrentPrincipal } from './decorators/current-principal.decorator';
export { BearerChallengeException } from './bearer-challenge';
export { SigningKeysUnavailableError } from './keys/signing-keys-unavailable.error';
export type { BearerErrorCode } from './bearer-challenge';
export { AccessTokenGuard } from './guards/access-token.guard';
export { VerifiedTokenCache } from './cache/verified-token.cache';
export type { VerifiedValueRules } from './cache/verified-token.cache';
