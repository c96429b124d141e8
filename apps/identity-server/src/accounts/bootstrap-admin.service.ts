import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { randomSecret } from '../crypto/secret-hasher';
import { printOnce } from '../common/print-once';
import { isUniqueViolation } from '../database/errors';
import { AccountsService } from './accounts.service';

/**
 * SPEC: on a start with no admin in the database, create one named
 * `BOOTSTRAP_ADMIN_USERNAME`, with `BOOTSTRAP_ADMIN_PASSWORD` or a random
 * password printed once to standard output (never to the log).
 */
@Injectable()
export class BootstrapAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapAdminService.name);

  constructor(
    private readonly accounts: AccountsService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.accounts.hasUserWithRole('admin')) return;
    const { adminUsername: username, adminPassword } = this.config.bootstrap;
    if (await this.accounts.usernameExists(username)) {
      this.logger.error(
        `no admin exists and the username "${username}" is taken by a non-admin; set BOOTSTRAP_ADMIN_USERNAME`,
      );
      return;
    }
    const password = adminPassword ?? randomSecret(18);
    try {
      await this.accounts.createUser({ username, password, roles: ['admin'] });
    } catch (error) {
      // Another process on the same database created it first.
      if (isUniqueViolation(error) || (error as { status?: number }).status === 409) return;
      throw error;
    }
    this.logger.log(`created the bootstrap admin "${username}"`);
    if (!adminPassword)
      printOnce(`Bootstrap admin "${username}" created. Its password, shown this once:`, password);
  }
}
