import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/page.query';
import { ClientStatus } from '../client.entity';

export const CLIENT_STATUSES: ClientStatus[] = [
  'pending',
  'approved',
  'rejected',
  'suspended',
  'withdrawn',
];

export class ListClientsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CLIENT_STATUSES })
  @IsOptional()
  @IsIn(CLIENT_STATUSES)
  status?: ClientStatus;
}
