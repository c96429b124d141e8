import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { CryptoModule } from '../crypto/crypto.module';
import { BootstrapClientService } from './bootstrap-client.service';
import { ClientSecretEntity } from './client-secret.entity';
import { ClientEntity } from './client.entity';
import { ClientsService } from './clients.service';
import { ScopeCatalogueService } from './scope-catalogue.service';
import { ScopeEntity } from './scope.entity';

/** Client registrations, their secrets, and the scope catalogue. */
@Module({
  imports: [
    TypeOrmModule.forFeature([ClientEntity, ClientSecretEntity, ScopeEntity]),
    AuditModule,
    CryptoModule,
  ],
  providers: [ClientsService, ScopeCatalogueService, BootstrapClientService],
  exports: [ClientsService, ScopeCatalogueService],
})
export class ClientsModule {}
