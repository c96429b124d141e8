/**
 * Usernames are 1-64 ASCII letters, digits and `. _ @ + -` (an e-mail address
 * fits). ASCII only, so case folding is exact and look-alike Unicode names
 * cannot impersonate each other. Uniqueness ignores case.
 */
export const USERNAME_PATTERN = /^[A-Za-z0-9._@+-]{1,64}$/;

export function normalizeUsername(username: string): string {
  return username.toLowerCase();
}
