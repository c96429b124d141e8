import { createHash } from 'node:crypto';

/**
 * RFC 7636 §4.1-4.2: a verifier and an S256 challenge are 43-128 characters
 * of the unreserved set. Only S256 is accepted (RFC 9700 §2.1.1: `plain`
 * protects nothing against an attacker who reads the authorization request).
 */
const UNRESERVED_43_128 = /^[A-Za-z0-9\-._~]{43,128}$/;

export const PKCE_METHOD = 'S256';

export function isWellFormedPkceValue(value: string): boolean {
  return UNRESERVED_43_128.test(value);
}

/** BASE64URL(SHA-256(ASCII(verifier))), RFC 7636 §4.2. */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
