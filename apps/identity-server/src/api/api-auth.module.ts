import { Module } from '@nestjs/common';
import { AuthGuardModule } from '@tessera/auth-guard';
import { AppConfig } from '../config/app-config';
import { KeyRingService } from '../keys/key-ring.service';
import { KeysModule } from '../keys/keys.module';
import { OAuthModule } from '../oauth/oauth.module';
import { TokenInspector } from '../oauth/token-inspector';

/**
 * The platform protects its own `/api` with `@tessera/auth-guard`, exactly as
 * internal services do, except that keys come from the key ring and the
 * online check from the token inspector, both in-process. The guard is global:
 * every route needs a token unless it says `@Public()` (the browser pages, the
 * metadata, health; the token endpoints and the JWKS never reach Nest, see
 * `ProtocolEndpoints`); `/api` controllers add `@RequireActiveToken()`.
 *
 * This is composition-root wiring: it is the one place outside `oauth` that
 * uses an `oauth` export, and no feature module depends on it.
 */
@Module({
  imports: [
    AuthGuardModule.forRootAsync({
      imports: [KeysModule, OAuthModule],
      inject: [KeyRingService, AppConfig, TokenInspector],
      useFactory: (ring: KeyRingService, config: AppConfig, inspector: TokenInspector) => ({
        issuer: config.issuer,
        audience: config.tokens.audience,
        algorithms: ['RS256', 'ES256'],
        keyResolver: (lookup) => ring.publicKey(lookup),
        introspection: {
          introspector: { isActive: (token: string) => inspector.isActivePlatformToken(token) },
        },
        realm: 'tessera',
        // Every /api controller is @RequireActiveToken(), which bypasses the guard's cache of
        // verified tokens; the in-process check remembers verifications itself (JwtSigner).
        verifiedTokenCache: false,
      }),
    }),
  ],
})
export class ApiAuthModule {}
