import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequireActiveToken, RequirePermissions } from '@tessera/auth-guard';
import { Actor, CurrentActor } from './actor';
import { CreateScopeDto, DescribeScopeDto } from './dto/scope.dto';
import { CatalogueScope, ScopeCatalogueService } from './scope-catalogue.service';

/** The scope catalogue: readable by anyone signed in (app teams choose from it), managed by admins. */
@ApiTags('scopes')
@ApiBearerAuth()
// The platform API takes only active tokens of first-party clients (api/api-auth.module.ts).
@RequireActiveToken()
@Controller()
export class ScopesController {
  constructor(private readonly catalogue: ScopeCatalogueService) {}

  @Get('api/scopes')
  list(): Promise<CatalogueScope[]> {
    return this.catalogue.list();
  }

  @Post('api/admin/scopes')
  @RequirePermissions('scopes:write')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateScopeDto): Promise<CatalogueScope> {
    return this.catalogue.create(actor, dto.name, dto.description);
  }

  @Patch('api/admin/scopes/:name')
  @RequirePermissions('scopes:write')
  describe(
    @CurrentActor() actor: Actor,
    @Param('name') name: string,
    @Body() dto: DescribeScopeDto,
  ): Promise<CatalogueScope> {
    return this.catalogue.describe(actor, name, dto.description);
  }

  @Delete('api/admin/scopes/:name')
  @HttpCode(204)
  @RequirePermissions('scopes:write')
  remove(@CurrentActor() actor: Actor, @Param('name') name: string): Promise<void> {
    return this.catalogue.remove(actor, name);
  }
}
