import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CryptoModule } from '../crypto/crypto.module';
import { AdminClientsController } from './admin-clients.controller';
import { BootstrapClientService } from './bootstrap-client.service';
import { ClientRegistrationService } from './client-registration.service';
import { ClientReviewService } from './client-review.service';
import { ClientSecretsService } from './client-secrets.service';
import { ClientsController } from './clients.controller';
import { ScopesController } from './scopes.controller';
import { ClientSecretEntity } from './client-secret.entity';
import { ClientEntity } from './client.entity';
import { ClientsService } from './clients.service';
import { ScopeCatalogueService } from './scope-catalogue.service';
import { ScopeEntity } from './scope.entity';

/** Client registrations and their review, their secrets, and the scope catalogue. */
@Module({
  imports: [
    TypeOrmModule.forFeature([ClientEntity, ClientSecretEntity, ScopeEntity]),
    AuditModule,
    CryptoModule,
  ],
  controllers: [ClientsController, AdminClientsController, ScopesController],
  providers: [
    ClientsService,
    ScopeCatalogueService,
    BootstrapClientService,
    ClientRegistrationService,
    ClientReviewService,
    ClientSecretsService,
  ],
  exports: [ClientsService, ScopeCatalogueService],
})
export class ClientsModule {}
