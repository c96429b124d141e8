import { normalizeUsername } from './username';

/**
 * The password policy for passwords chosen through the API (creation by an
 * admin, a change by the owner). The DTOs enforce the lengths; the services
 * call {@link passwordPolicyViolation}, which also holds the rules that need
 * the account.
 */

/** NIST SP 800-63B §5.1.1.2 asks for at least 8; 12 characters is today's common floor. */
export const PASSWORD_MIN_LENGTH = 12;

/**
 * bcrypt reads only the first 72 bytes of its input and ignores the rest, so a
 * longer password would be accepted with any suffix. The limit is in UTF-8
 * bytes, not characters: 36 `é` are already 72 bytes.
 */
export const PASSWORD_MAX_BYTES = 72;

/** Why `password` is refused for the account `username`, or null when it is acceptable. */
export function passwordPolicyViolation(password: string, username: string): string | null {
  if ([...password].length < PASSWORD_MIN_LENGTH)
    return `password must be at least ${PASSWORD_MIN_LENGTH} characters long`;
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES)
    return `password must be at most ${PASSWORD_MAX_BYTES} bytes long (UTF-8)`;
  // Usernames are ASCII and matched without regard to case; so is this rule.
  if (normalizeUsername(password) === normalizeUsername(username))
    return 'password must not be the username';
  return null;
}
