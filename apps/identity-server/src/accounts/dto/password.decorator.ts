import { applyDecorators } from '@nestjs/common';
import { IsByteLength, IsString, MinLength } from 'class-validator';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../password-policy';

/** A new password: 12 characters at least, 72 UTF-8 bytes at most (bcrypt's input limit). */
export const NewPassword = () =>
  applyDecorators(
    IsString(),
    MinLength(PASSWORD_MIN_LENGTH),
    IsByteLength(0, PASSWORD_MAX_BYTES, {
      message: `$property must be at most ${PASSWORD_MAX_BYTES} bytes long (UTF-8)`,
    }),
  );
