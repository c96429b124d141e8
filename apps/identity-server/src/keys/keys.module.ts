import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CryptoModule } from '../crypto/crypto.module';
import { JwksPublisher } from './jwks.publisher';
import { JwtSigner } from './jwt-signer';
import { KeyRingService } from './key-ring.service';
import { SigningKeyEntity } from './signing-key.entity';

/** Signing keys: generation, encryption at rest, rotation, the JWKS, JWT signing and verification. */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity]), CryptoModule, AuditModule],
  providers: [KeyRingService, JwtSigner, JwksPublisher],
  exports: [KeyRingService, JwtSigner, JwksPublisher],
})
export class KeysModule {}
