import { BadRequestException } from '@nestjs/common';
import { parseScope } from './scope';
import { redirectUriProblem } from './redirect-uri';

/**
 * The checks a registration must pass, at registration, at every change and
 * (for narrowing) at approval. Each failure is a 400 that says what is wrong.
 */
export function checkRegistration(
  input: { grantTypes: string[]; redirectUris: string[]; scope: string },
  catalogue: string[],
): string[] {
  const problems: string[] = [];
  for (const uri of input.redirectUris) {
    const problem = redirectUriProblem(uri);
    if (problem) problems.push(`redirect_uris: ${uri} ${problem}`);
  }
  if (input.grantTypes.includes('authorization_code') && input.redirectUris.length === 0) {
    problems.push('redirect_uris: the authorization_code grant needs at least one redirect URI');
  }
  const refresh = refreshTokenProblem(input.grantTypes);
  if (refresh) problems.push(refresh);
  const scopes = parseScope(input.scope);
  if (scopes === null) problems.push('scope: malformed (RFC 6749 §3.3)');
  const unknown = (scopes ?? []).filter((scope) => !catalogue.includes(scope));
  if (unknown.length) problems.push(`scope: not in the catalogue: ${unknown.join(' ')}`);
  return problems;
}

/** Refresh tokens renew a user's grant: they come only with a grant that has a user (also checked at approval). */
export function refreshTokenProblem(grantTypes: string[]): string | null {
  return grantTypes.includes('refresh_token') &&
    !grantTypes.some((g) => g === 'password' || g === 'authorization_code')
    ? 'grant_types: refresh_token only comes with password or authorization_code'
    : null;
}

export function assertRegistration(
  input: { grantTypes: string[]; redirectUris: string[]; scope: string },
  catalogue: string[],
): void {
  const problems = checkRegistration(input, catalogue);
  if (problems.length) throw new BadRequestException(problems);
}
