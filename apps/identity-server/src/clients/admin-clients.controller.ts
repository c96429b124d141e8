import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequireActiveToken, RequirePermissions } from '@tessera/auth-guard';
import { Actor, CurrentActor } from './actor';
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
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ApproveClientDto,
  ): Promise<ClientResponse> {
    return this.review.approve(actor, id, dto);
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ReasonDto,
  ): Promise<ClientResponse> {
    return this.review.reject(actor, id, dto.reason);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  suspend(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ReasonDto,
  ): Promise<ClientResponse> {
    return this.review.suspend(actor, id, dto.reason);
  }

  @Post(':id/reinstate')
  @HttpCode(200)
  reinstate(
    @CurrentActor() actor: Actor,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ClientResponse> {
    return this.review.reinstate(actor, id);
  }
}
