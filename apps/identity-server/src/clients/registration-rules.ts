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
  if (
    input.grantTypes.includes('refresh_token') &&
    !input.grantTypes.some((g) => g === 'password' || g === 'authorization_code')
  ) {
    problems.push('grant_types: refresh_token only comes with password or authorization_code');
  }
  const scopes = parseScope(input.scope);
  if (scopes === null) problems.push('scope: malformed (RFC 6749 §3.3)');
  const unknown = (scopes ?? []).filter((scope) => !catalogue.includes(scope));
  if (unknown.length) problems.push(`scope: not in the catalogue: ${unknown.join(' ')}`);
  return problems;
}

export function assertRegistration(
  input: { grantTypes: string[]; redirectUris: string[]; scope: string },
  catalogue: string[],
): void {
  const problems = checkRegistration(input, catalogue);
  if (problems.length) throw new BadRequestException(problems);
}
