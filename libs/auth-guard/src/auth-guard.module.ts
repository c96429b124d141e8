import { Module, Provider } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import {
  AccessTokenStrategy,
  KEY_RESOLVER,
  nextStrategyName,
  STRATEGY_NAME,
} from './access-token.strategy';
import { AUTH_GUARD_OPTIONS, ConfigurableModuleClass } from './auth-guard.module-definition';
import { AuthGuardModuleOptions } from './auth-guard.options';
import {
  DEFAULT_VERIFIED_TOKEN_CACHE_ENTRIES,
  VerifiedTokenCache,
} from './cache/verified-token.cache';
import {
  AccessTokenGuard,
  TOKEN_INTROSPECTOR,
  VERIFIED_TOKEN_CACHE,
} from './guards/access-token.guard';
import { PublicRoutesCheck } from './guards/public-routes.check';
import { HttpTokenIntrospector } from './introspection/http-token-introspector';
import { remoteJwksResolver } from './keys/remote-jwks.resolver';

const keyResolverProvider: Provider = {
  provide: KEY_RESOLVER,
  inject: [AUTH_GUARD_OPTIONS],
  useFactory: (options: AuthGuardModuleOptions) =>
    options.keyResolver ?? remoteJwksResolver(options),
};

const introspectorProvider: Provider = {
  provide: TOKEN_INTROSPECTOR,
  inject: [AUTH_GUARD_OPTIONS],
  useFactory: (options: AuthGuardModuleOptions) => {
    const config = options.introspection;
    if (!config) return undefined;
    if ('introspector' in config) return config.introspector;
    return new HttpTokenIntrospector({
      issuer: options.issuer,
      allowInsecureHttp: options.allowInsecureHttp,
      ...config,
    });
  },
};

const verifiedTokenCacheProvider: Provider = {
  provide: VERIFIED_TOKEN_CACHE,
  inject: [AUTH_GUARD_OPTIONS],
  useFactory: (options: AuthGuardModuleOptions) =>
    options.verifiedTokenCache === false
      ? undefined
      : VerifiedTokenCache.forPrincipals(
          options.verifiedTokenCache?.maxEntries ?? DEFAULT_VERIFIED_TOKEN_CACHE_ENTRIES,
        ),
};

/**
 * Validates Tessera access tokens locally and guards every route of the
 * application (deny by default). Import it once, in the root module:
 *
 * ```ts
 * AuthGuardModule.forRoot({ issuer: 'https://id.example.com', audience: 'tessera' })
 * ```
 *
 * `forRootAsync` takes the usual `imports` / `inject` / `useFactory`.
 *
 * At module init, a route that is `@Public()` and also carries a requirement
 * stops the application with an error naming it (see {@link PublicRoutesCheck}).
 */
@Module({
  imports: [PassportModule, DiscoveryModule],
  providers: [
    { provide: STRATEGY_NAME, useFactory: nextStrategyName },
    keyResolverProvider,
    introspectorProvider,
    verifiedTokenCacheProvider,
    AccessTokenStrategy,
    { provide: APP_GUARD, useClass: AccessTokenGuard },
    PublicRoutesCheck,
  ],
  exports: [KEY_RESOLVER, TOKEN_INTROSPECTOR],
})
export class AuthGuardModule extends ConfigurableModuleClass {}
