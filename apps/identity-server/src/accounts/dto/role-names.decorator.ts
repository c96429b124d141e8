import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';

/** A user holds a handful of roles; more than this in one request is a mistake or an attack. */
export const MAX_ROLES_PER_USER = 20;
/** `roles.name` is VARCHAR(64). */
export const ROLE_NAME_MAX_LENGTH = 64;

/** A list of role names, bounded in count and length. Whether each role exists is the service's check (400). */
export const RoleNames = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(MAX_ROLES_PER_USER),
    IsString({ each: true }),
    MaxLength(ROLE_NAME_MAX_LENGTH, { each: true }),
  );
