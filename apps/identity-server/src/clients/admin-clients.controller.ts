import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
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
import { ClientReviewService } from './client-review.service';
import { ClientPage, ClientResponse } from './client.response';
import { ListClientsQuery } from './dto/list-clients.query';
import { ApproveClientDto, ReasonDto } from './dto/review.dto';

/** `/api/admin/clients`: the review queue and its decisions (SPEC flow 4). */
@ApiTags('client review')
@ApiBearerAuth()
// The platform API takes only active tokens of first-party clients (api/api-auth.module.ts).
@RequireActiveToken()
@Controller('api/admin/clients')
@RequirePermissions('clients:review')
export class AdminClientsController {
  constructor(private readonly review: ClientReviewService) {}

  /** `?status=pending` is the queue, oldest first. */
  @Get()
  list(@Query() query: ListClientsQuery): Promise<ClientPage> {
    return this.review.list(query.status, query.limit, query.offset);
  }

  @Post(':id/approve')
  @HttpCode(200)
  approve(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ApproveClientDto,
  ): Promise<ClientResponse> {
    return this.review.approve(actorOf(principal, req), id, dto);
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ReasonDto,
  ): Promise<ClientResponse> {
    return this.review.reject(actorOf(principal, req), id, dto.reason);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  suspend(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ReasonDto,
  ): Promise<ClientResponse> {
    return this.review.suspend(actorOf(principal, req), id, dto.reason);
  }

  @Post(':id/reinstate')
  @HttpCode(200)
  reinstate(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ClientResponse> {
    return this.review.reinstate(actorOf(principal, req), id);
  }
}
