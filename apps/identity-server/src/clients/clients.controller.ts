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
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  Principal,
  RequireActiveToken,
  RequirePermissions,
} from '@tessera/auth-guard';
import type { Request } from 'express';
import { actorOf } from './actor';
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
  register(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Body() dto: RegisterClientDto,
  ): Promise<ClientResponse> {
    return this.registrations.register(actorOf(principal, req), dto);
  }

  /** The caller's own registrations, newest first; `?status=` narrows them. */
  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Query() query: ListClientsQuery,
  ): Promise<ClientPage> {
    return this.registrations.listOwned(
      actorOf(principal, req),
      query.status,
      query.limit,
      query.offset,
    );
  }

  /** SPEC: its owner, or an admin. Anyone else gets 404. */
  @Get(':id')
  get(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ClientResponse> {
    return this.registrations.get(actorOf(principal, req), id);
  }

  @Patch(':id')
  update(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateClientDto,
  ): Promise<ClientResponse> {
    return this.registrations.update(actorOf(principal, req), id, dto);
  }

  /** Withdraws a pending registration. */
  @Delete(':id')
  withdraw(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ClientResponse> {
    return this.registrations.withdraw(actorOf(principal, req), id);
  }

  /** SPEC: a new secret, shown this once (201). */
  @Post(':id/secret')
  issueSecret(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<IssuedClientSecret> {
    return this.secrets.issue(actorOf(principal, req), id);
  }

  @Get(':id/secrets')
  listSecrets(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ClientSecretInfo[]> {
    return this.secrets.list(actorOf(principal, req), id);
  }

  @Delete(':id/secrets/:secretId')
  @HttpCode(204)
  revokeSecret(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('secretId', ParseUUIDPipe) secretId: string,
  ): Promise<void> {
    return this.secrets.revoke(actorOf(principal, req), id, secretId);
  }
}
