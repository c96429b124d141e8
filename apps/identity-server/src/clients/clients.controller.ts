import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequireActiveToken, RequirePermissions } from '@tessera/auth-guard';
import { Actor, CurrentActor } from './actor';
import { ClientRegistrationService } from './client-registration.service';
import { ClientSecretsService } from './client-secrets.service';
import {
  ClientPage,
  ClientResponse,
  ClientSecretInfo,
  IssuedClientSecret,
} from './client.response';
import { ListClientsQuery } from './dto/list-clients.query';
import { RegisterClientDto } from './dto/register-client.dto';
import { UpdateClientDto } from './dto/update-client.dto';

/** `/api/clients`: app teams register applications and, once approved, fetch credentials (SPEC flow 4). */
@ApiTags('clients')
@ApiBearerAuth()
// The platform API takes only active tokens of first-party clients (api/api-auth.module.ts).
@RequireActiveToken()
@Controller('api/clients')
@RequirePermissions('clients:register')
export class ClientsController {
  constructor(
    private readonly registrations: ClientRegistrationService,
    private readonly secrets: ClientSecretsService,
  ) {}

  @Post()
  register(@CurrentActor() actor: Actor, @Body() dto: RegisterClientDto): Promise<ClientResponse> {
    return this.registrations.register(actor, dto);
  }

  /** The caller's own registrations, newest first; `?status=` narrows them. */
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: ListClientsQuery): Promise<ClientPage> {
    return this.registrations.listOwned(actor, query.status, query.limit, query.offset);
  }

  /** SPEC: its owner, or an admin. Anyone else gets 404. */
  @Get(':id')
  get(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ClientResponse> {
    return this.registrations.get(actor, id);
  }

  @Patch(':id')
  update(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateClientDto,
  ): Promise<ClientResponse> {
    return this.registrations.update(actor, id, dto);
  }

  /** Withdraws a pending registration. */
  @Delete(':id')
  withdraw(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ClientResponse> {
    return this.registrations.withdraw(actor, id);
  }

  /** SPEC: a new secret, shown this once (201). */
  @Post(':id/secret')
  issueSecret(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<IssuedClientSecret> {
    return this.secrets.issue(actor, id);
  }

  @Get(':id/secrets')
  listSecrets(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ClientSecretInfo[]> {
    return this.secrets.list(actor, id);
  }

  @Delete(':id/secrets/:secretId')
  @HttpCode(204)
  revokeSecret(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('secretId', ParseUUIDPipe) secretId: string,
  ): Promise<void> {
    return this.secrets.revoke(actor, id, secretId);
  }
}
