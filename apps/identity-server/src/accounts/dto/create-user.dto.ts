import { IsEmail, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { USERNAME_PATTERN } from '../username';
import { NewPassword } from './password.decorator';
import { RoleNames } from './role-names.decorator';

/**
 * POST /api/users (SPEC, fixed: `{username, password, email?, roles?}`). Only
 * these fields: the global ValidationPipe refuses any other (`status`, `id`,
 * `passwordHash`...) with 400, so nothing can be mass-assigned.
 */
export class CreateUserDto {
  @IsString()
  @MaxLength(64)
  @Matches(USERNAME_PATTERN, {
    message: '$property may contain only ASCII letters, digits and . _ @ + -',
  })
  username: string;

  @NewPassword()
  password: string;

  /** RFC 5321 §4.5.3.1.3 limits a path to 256 octets, so an address to 254. */
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  @IsOptional()
  @RoleNames()
  roles?: string[];
}
