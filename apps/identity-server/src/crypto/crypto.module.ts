import { Module } from '@nestjs/common';
import { KeyMaterial } from './key-material';

/** The key-encryption key and the keys derived from it. */
@Module({ providers: [KeyMaterial], exports: [KeyMaterial] })
export class CryptoModule {}
