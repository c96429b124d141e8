import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { KeysModule } from '../keys/keys.module';
import { HealthController } from './health.controller';
import { SigningKeyHealthIndicator } from './signing-key.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), KeysModule],
  controllers: [HealthController],
  providers: [SigningKeyHealthIndicator],
})
export class HealthModule {}
