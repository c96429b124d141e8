import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { runPendingMigrations } from './migrator';

/**
 * Opens the database named by `DATABASE_URL` and brings its schema up to date
 * before any other module touches it. An unreachable database ends the start
 * with an error that names it (password hidden).
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.database),
        retryAttempts: config.database.connectAttempts - 1,
        retryDelay: 1000,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        await runPendingMigrations(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
