import { sampleConfigFromEnv } from './sample.config';

describe('sampleConfigFromEnv', () => {
  it('trusts ISSUER_URL over plain http from another host only when asked to', () => {
    const issuer = 'http://identity-server:3000';
    expect(sampleConfigFromEnv({ ISSUER_URL: issuer }).guard).toMatchObject({
      issuer,
      allowInsecureHttp: false,
    });
    expect(
      sampleConfigFromEnv({ ISSUER_URL: issuer, SAMPLE_ALLOW_INSECURE_HTTP: 'true' }).guard
        .allowInsecureHttp,
    ).toBe(true);
  });

  it('defaults to the identity server on localhost, audience tessera, port 3001 (SPEC)', () => {
    const config = sampleConfigFromEnv({});
    expect(config.port).toBe(3001);
    expect(config.guard).toMatchObject({ issuer: 'http://localhost:3000', audience: 'tessera' });
  });
});
