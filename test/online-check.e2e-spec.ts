import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuardModule, RequireActiveToken } from '@tessera/auth-guard';
import { createTestDatabase, DATABASES, TestDatabase } from './support/databases';
import { createClient, revoke } from './support/fixtures';
import { tokenRequest } from './support/http';
import { freePort } from './support/server-process';
import { ADMIN, CONSOLE, startServer, TestServer } from './support/test-server';

@Controller()
class PaymentsController {
  /** Checked offline only: valid until it expires. */
  @Get('balance')
  balance(): { ok: true } {
    return { ok: true };
  }

  /** Must see revocation at once: introspected (RFC 7662). */
  @RequireActiveToken()
  @Get('transfer')
  transfer(): { ok: true } {
    return { ok: true };
  }
}

/** Issue 3: routes that cannot wait for expiry ask the issuer, with a short cache. */
describe.each(DATABASES)('the online check (@RequireActiveToken) on %s', (kind) => {
  let db: TestDatabase;
  let server: TestServer;
  let service: INestApplication;
  let serviceUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    server = await startServer(db.url);
    // The resource server registers as a client to introspect (RFC 7662 §2.1).
    const resourceServer = await createClient(server, {
      grantTypes: ['client_credentials'],
      firstParty: false,
    });
    @Module({
      imports: [
        AuthGuardModule.forRoot({
          issuer: server.config.issuer,
          audience: 'tessera',
          introspection: {
            clientId: resourceServer.clientId,
            clientSecret: resourceServer.secret,
            cacheSeconds: 1,
          },
        }),
      ],
      controllers: [PaymentsController],
    })
    class PaymentsModule {}
    service = await NestFactory.create(PaymentsModule, { logger: false });
    const port = await freePort();
    await service.listen(port, '127.0.0.1');
    serviceUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await service?.close();
    await server?.close();
    await db?.drop();
  });

  const call = (path: string, token: string) =>
    fetch(`${serviceUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('refuses a revoked token on checked routes within the cache time, while offline routes accept it until expiry', async () => {
    const issued = await tokenRequest(server.url, CONSOLE, {
      grant_type: 'password',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    const token = issued.body.access_token as string;
    expect((await call('/balance', token)).status).toBe(200);
    expect((await call('/transfer', token)).status).toBe(200);

    const revoked = await revoke(server, token);
    expect(revoked.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1200));

    const refused = await call('/transfer', token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    // The offline check cannot know: a self-contained JWT stays valid until it expires.
    expect((await call('/balance', token)).status).toBe(200);
  });

  it('sees a revoked grant too: revoking the refresh token ends its access token on checked routes (RFC 7009 §2.1)', async () => {
    const issued = await tokenRequest(server.url, CONSOLE, {
      grant_type: 'password',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    const token = issued.body.access_token as string;
    expect((await call('/transfer', token)).status).toBe(200);
    await revoke(server, issued.body.refresh_token as string);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await call('/transfer', token)).status).toBe(401);
  });
});
