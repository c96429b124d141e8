import { Global, Module } from '@nestjs/common';
import { StatusCaches } from './status-caches';

/** Provides {@link StatusCaches} to every module (one registry per process). */
@Global()
@Module({ providers: [StatusCaches], exports: [StatusCaches] })
export class StatusCachesModule {}
