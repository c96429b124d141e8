import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions, redactDataSource } from './data-source-options';
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
        const dataSource = new DataSource(options!);
        try {
          await dataSource.initialize();
        } catch (error) {
          throw new DatabaseUnavailableError(options!, error);
        }
        await runPendingMigrations(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}

/** The database named by DATABASE_URL could not be opened; the message never holds its password. */
export class DatabaseUnavailableError extends Error {
  constructor(options: DataSourceOptions, cause: unknown) {
    super(
      `cannot open the database ${redactDataSource(options)}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'DatabaseUnavailableError';
  }
}
