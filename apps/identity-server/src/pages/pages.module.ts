import { Module } from '@nestjs/common';
import { AssetsController } from './assets.controller';

/** Tessera's own pages: the render functions are plain functions (`pages.ts`); the module serves their stylesheet. */
@Module({ controllers: [AssetsController] })
export class PagesModule {}
