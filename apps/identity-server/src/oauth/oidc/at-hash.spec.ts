import { accessTokenHash } from './at-hash';

describe('accessTokenHash (Core 1.0 §3.1.3.6)', () => {
  it('matches the at_hash of the specification’s example (Core 1.0 Appendix A.3)', () => {
    expect(accessTokenHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).toBe(
      '77QmUPtjPfzWtF2AnpK9RQ',
    );
  });

  it('uses SHA-256 for ES256 too: 16 octets, 22 base64url characters', () => {
    const hash = accessTokenHash('another-token', 'ES256');
    expect(hash).toBe(accessTokenHash('another-token', 'RS256'));
    expect(hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
