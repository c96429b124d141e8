import { sampleConfigFromEnv } from './sample.config';

describe('sampleConfigFromEnv', () => {
  it('trusts ISSUER_URL over plain http from any host outside production only', () => {
    const issuer = 'http://identity-server:3000';
    expect(sampleConfigFromEnv({ ISSUER_URL: issuer }).guard).toMatchObject({
      issuer,
      allowInsecureHttp: true,
    });
    expect(
      sampleConfigFromEnv({ ISSUER_URL: issuer, NODE_ENV: 'production' }).guard.allowInsecureHttp,
    ).toBe(false);
  });

  it('defaults to the identity server on localhost, audience tessera, port 3001 (SPEC)', () => {
    const config = sampleConfigFromEnv({});
    expect(config.port).toBe(3001);
    expect(config.guard).toMatchObject({ issuer: 'http://localhost:3000', audience: 'tessera' });
  });
});
