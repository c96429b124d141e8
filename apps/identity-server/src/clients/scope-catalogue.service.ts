import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ScopeEntity } from './scope.entity';

export interface CatalogueScope {
  name: string;
  description: string;
}

/** The scopes the platform knows (advertised as `scopes_supported`). */
@Injectable()
export class ScopeCatalogueService {
  constructor(@InjectRepository(ScopeEntity) private readonly scopes: Repository<ScopeEntity>) {}

  async list(): Promise<CatalogueScope[]> {
    const rows = await this.scopes.find({ order: { name: 'ASC' } });
    return rows.map((row) => ({ name: row.name, description: row.description }));
  }
}
