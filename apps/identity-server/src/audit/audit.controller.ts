import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { RequireActiveToken, RequirePermissions } from '@tessera/auth-guard';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../common/page.query';
import { AuditService } from './audit.service';

export class AuditQuery extends PageQuery {
  /** The log is read in larger pages than other listings: up to 200 events. */
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  override limit: number = 50;

  @ApiPropertyOptional({ description: 'OAuth client_id' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  client_id?: string;

  @ApiPropertyOptional({
    description: 'Client registration id: its whole history, also before approval',
  })
  @IsOptional()
  @IsUUID()
  registration_id?: string;

  @ApiPropertyOptional({ description: 'User id of who acted' })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  actor_id?: string;

  @ApiPropertyOptional({ description: 'Event type, e.g. client.approved' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  type?: string;
}

export interface AuditEventResponse {
  id: string;
  type: string;
  actor_id: string | null;
  client_id: string | null;
  registration_id: string | null;
  subject_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  created_at: string;
}

/** `/api/admin/audit`: the append-only security log, newest first. Read-only by construction: no other verb exists. */
@ApiTags('audit')
@ApiBearerAuth()
// The platform API takes only active tokens of first-party clients (api/api-auth.module.ts).
@RequireActiveToken()
@Controller('api/admin/audit')
@RequirePermissions('audit:read')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(
    @Query() query: AuditQuery,
  ): Promise<{ items: AuditEventResponse[]; total: number; limit: number; offset: number }> {
    const page = await this.audit.query(
      {
        clientId: query.client_id,
        clientRef: query.registration_id,
        actorId: query.actor_id,
        type: query.type,
      },
      query.limit,
      query.offset,
    );
    return {
      items: page.items.map((event) => ({
        id: event.id,
        type: event.type,
        actor_id: event.actorId,
        client_id: event.clientId,
        registration_id: event.clientRef,
        subject_id: event.subjectId,
        ip: event.ip,
        details: event.details,
        created_at: event.createdAt.toISOString(),
      })),
      total: page.total,
      limit: query.limit,
      offset: query.offset,
    };
  }
}
