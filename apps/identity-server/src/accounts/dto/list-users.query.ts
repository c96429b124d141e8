import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** Far beyond any directory; keeps the value a safe integer on both engines. */
const MAX_OFFSET = 2_147_483_647;

/**
 * GET /api/users?limit=&offset=. Offset paging over a stable order (creation
 * time, then id): new accounts land at the end, so earlier pages do not shift
 * while an admin pages through.
 */
export class ListUsersQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset: number = 0;
}
