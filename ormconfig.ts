// The DataSource for the TypeORM CLI (`npm run migration:run`, `migration:show`,
// `migration:revert`). It reads DATABASE_URL exactly as the server does.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './apps/identity-server/src/config/app-config';
import { buildDataSourceOptions } from './apps/identity-server/src/database/data-source-options';

export default new DataSource(buildDataSourceOptions(loadConfig(process.env).database));
