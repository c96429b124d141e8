import { Module } from '@nestjs/common';
import { AuthGuardModule } from '@tessera/auth-guard';
import { AppConfig } from '../config/app-config';
import { KeyRingService } from '../keys/key-ring.service';
import { KeysModule } from '../keys/keys.module';

/**
 * The platform protects its own `/api` with `@tessera/auth-guard`, exactly as
 * internal services do, except that keys come from the key ring in-process
 * instead of over HTTP. The guard is global: every route needs a token unless
 * it says `@Public()` (the OAuth protocol endpoints, the JWKS, health).
 */
@Module({
  imports: [
    AuthGuardModule.forRootAsync({
      imports: [KeysModule],
      inject: [KeyRingService, AppConfig],
      useFactory: (ring: KeyRingService, config: AppConfig) => ({
        issuer: config.issuer,
        audience: config.tokens.audience,
        algorithms: ['RS256', 'ES256'],
        keyResolver: (lookup) => ring.publicKey(lookup),
        realm: 'tessera',
      }),
    }),
  ],
})
export class ApiAuthModule {}
