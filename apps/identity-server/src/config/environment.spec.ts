import { loadConfig } from './app-config';
import { ConfigurationError, validateEnvironment } from './environment';

describe('environment validation', () => {
  it('gives SPEC defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.issuer).toBe('http://localhost:3000');
    expect(config.database).toMatchObject({ kind: 'sqlite', path: './data/tessera.sqlite' });
    expect(config.bootstrap).toMatchObject({ adminUsername: 'admin', clientId: 'console' });
    expect(config.tokens).toMatchObject({ accessTtlSeconds: 900, refreshTtlSeconds: 2592000 });
    expect(config.passwords.bcryptCost).toBeGreaterThanOrEqual(10);
  });

  it('treats empty variables as unset and strips a trailing slash from the issuer', () => {
    expect(loadConfig({ PORT: '', ISSUER_URL: 'https://id.example.com/' }).issuer).toBe(
      'https://id.example.com',
    );
  });

  it('names every bad variable in one error, without echoing secret values', () => {
    let error: unknown;
    try {
      validateEnvironment({
        PORT: 'x',
        LOGIN_MAX_FAILED_ATTEMPTS: '0',
        BOOTSTRAP_CLIENT_SECRET: 'short',
        DATABASE_URL: 'postgres://u:pw@h/db',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    for (const name of [
      'PORT',
      'LOGIN_MAX_FAILED_ATTEMPTS',
      'BOOTSTRAP_CLIENT_SECRET',
      'DATABASE_URL',
    ])
      expect(message).toContain(`${name}:`);
    expect(message).not.toContain('short');
    expect(message).not.toContain('pw@h');
    expect((error as ConfigurationError).problems).toHaveLength(4);
  });

  it('refuses a UUID-shaped bootstrap client_id, which could pass for a user subject (RFC 9068 §5)', () => {
    expect(() =>
      validateEnvironment({ BOOTSTRAP_CLIENT_ID: '3f1c2d4e-1111-4a2b-9c3d-123456789abc' }),
    ).toThrow('BOOTSTRAP_CLIENT_ID');
  });

  it('requires a key-encryption key and an https issuer in production', () => {
    expect(() =>
      validateEnvironment({ NODE_ENV: 'production', ISSUER_URL: 'http://id.example.com' }),
    ).toThrow(/KEY_ENCRYPTION_KEY[\s\S]*ISSUER_URL/);
    expect(() =>
      validateEnvironment({
        NODE_ENV: 'production',
        ISSUER_URL: 'https://id.example.com',
        KEY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      }),
    ).not.toThrow();
  });

  it('takes STATUS_CACHE_TTL_MS as whole milliseconds from 0 (off) to 60000, default 2000', () => {
    expect(loadConfig({}).statusCacheTtlMs).toBe(2000);
    expect(loadConfig({ STATUS_CACHE_TTL_MS: '0' }).statusCacheTtlMs).toBe(0);
    expect(loadConfig({ STATUS_CACHE_TTL_MS: '60000' }).statusCacheTtlMs).toBe(60000);
    for (const bad of ['-1', '1.5', 'x', '60001'])
      expect(() => validateEnvironment({ STATUS_CACHE_TTL_MS: bad })).toThrow(
        'STATUS_CACHE_TTL_MS:',
      );
  });

  it('parses mysql, mariadb and sqlite URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'mariadb://u:p@db:3306/tessera' }).database).toMatchObject({
      kind: 'mysql',
      url: 'mysql://u:p@db:3306/tessera',
    });
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toMatchObject({
      kind: 'sqlite',
      path: ':memory:',
    });
  });
});
