import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { printOnce } from '../common/print-once';
import { AppConfig } from '../config/app-config';
import { randomSecret } from '../crypto/secret-hasher';
import { isUniqueViolation } from '../database/errors';
import { ClientsService } from './clients.service';
import { OIDC_SCOPES } from './scope';
import { ScopeCatalogueService } from './scope-catalogue.service';

/** Seeded in the catalogue by migration 1763900000009, but not given to the console by default. */
const OPENID_CONNECT_SCOPES: string[] = Object.values(OIDC_SCOPES);

/**
 * SPEC: on every start, ensure the approved first-party client
 * `BOOTSTRAP_CLIENT_ID` exists, allowed `password` and `refresh_token`, with
 * `BOOTSTRAP_CLIENT_SECRET` or a random secret printed once. When the variable
 * names a secret the client does not have, it is added (the environment wins).
 */
@Injectable()
export class BootstrapClientService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapClientService.name);

  constructor(
    private readonly clients: ClientsService,
    private readonly catalogue: ScopeCatalogueService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { clientId, clientSecret } = this.config.bootstrap;
    const existing = await this.clients.findByClientId(clientId);
    if (existing) {
      if (clientSecret && !(await this.clients.authenticate(clientId, clientSecret))) {
        await this.clients.revokeSecrets(existing.ref);
        await this.clients.addSecret(existing.ref, clientSecret);
        this.logger.log(
          `bootstrap client "${clientId}": secret replaced by BOOTSTRAP_CLIENT_SECRET`,
        );
      }
      return;
    }
    const secret = clientSecret ?? randomSecret();
    // The catalogue's resource scopes. The console signs in with the password grant,
    // which issues no ID token: the OpenID Connect scopes are for browser sign-in.
    const scopes = (await this.catalogue.list())
      .map((scope) => scope.name)
      .filter((name) => !OPENID_CONNECT_SCOPES.includes(name));
    try {
      await this.clients.createApprovedClient({
        clientId,
        name: 'Tessera console',
        firstParty: true,
        grantTypes: ['password', 'refresh_token'],
        scopes,
        secret,
      });
    } catch (error) {
      if (isUniqueViolation(error)) return; // another process created it first
      throw error;
    }
    this.logger.log(`created the bootstrap client "${clientId}"`);
    if (!clientSecret)
      printOnce(
        `Bootstrap client "${clientId}" created. Its client_secret, shown this once:`,
        secret,
      );
  }
}
