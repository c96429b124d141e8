import { createHash } from 'node:crypto';

/**
 * RFC 7636 §4.1: a verifier is 43-128 characters of the unreserved set. Only S256 is accepted (RFC 9700 §2.1.1: `plain`
 * protects nothing against an attacker who reads the authorization request).
 */
const UNRESERVED_43_128 = /^[A-Za-z0-9\-._~]{43,128}$/;

export const PKCE_METHOD = 'S256';

/**
 * BASE64URL of a SHA-256 digest: 43 characters of the base64url alphabet, no
 * padding; 256 bits leave the last character two zero bits, so it is one of 16.
 */
const S256_DIGEST = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

export function isWellFormedPkceValue(value: string): boolean {
  return UNRESERVED_43_128.test(value);
}

/**
 * An S256 challenge that some verifier could match. One that could not is
 * refused at the authorization endpoint (RFC 7636 §4.4.1), before the user
 * signs in and consents for a code no exchange could redeem.
 */
export function isWellFormedS256Challenge(value: string): boolean {
  return S256_DIGEST.test(value);
}

/** BASE64URL(SHA-256(ASCII(verifier))), RFC 7636 §4.2. */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
