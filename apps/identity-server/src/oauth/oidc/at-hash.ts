import { createHash } from 'node:crypto';
import { SigningAlgorithm } from '../../config/app-config';

/**
 * The hash of each signing algorithm's family (Core 1.0 §3.1.3.6: "the hash
 * algorithm used in the alg Header Parameter of the ID Token's JOSE Header").
 * Typed by `SigningAlgorithm`, so that a new algorithm cannot be added to the
 * key ring without saying which hash its `at_hash` uses.
 */
const DIGEST: Record<SigningAlgorithm, 'sha256' | 'sha384' | 'sha512'> = {
  RS256: 'sha256',
  ES256: 'sha256',
};

/**
 * `at_hash` (Core 1.0 §3.1.3.6, §3.2.2.9): the base64url encoding of the left
 * half of the hash of the access token's ASCII octets. It binds the access
 * token to the ID token issued beside it.
 */
export function accessTokenHash(accessToken: string, algorithm: SigningAlgorithm): string {
  const digest = createHash(DIGEST[algorithm]).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
