import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { NewPassword } from './password.decorator';

/** POST /api/users/me/password. */
export class ChangePasswordDto {
  /** Bounded so a huge string never reaches bcrypt; any stored password fits (at most 72 bytes). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  currentPassword: string;

  @NewPassword()
  newPassword: string;
}
