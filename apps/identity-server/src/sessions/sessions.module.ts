import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { CryptoModule } from '../crypto/crypto.module';
import { AccountSessionsEndedListener } from './account-sessions-ended.listener';
import { BrowserSessionEntity } from './browser-session.entity';
import { CsrfTokens } from './csrf-tokens';
import { SessionService } from './session.service';

/** Browser sessions (single sign-on) and the CSRF tokens of the browser forms. */
@Module({
  imports: [
    TypeOrmModule.forFeature([BrowserSessionEntity]),
    AccountsModule,
    AuditModule,
    CryptoModule,
  ],
  providers: [SessionService, CsrfTokens, AccountSessionsEndedListener],
  exports: [SessionService, CsrfTokens],
})
export class SessionsModule {}
