import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but not sent as `null`. class-validator's
 * `@IsOptional()` skips the other rules for both, which lets a JSON `null`
 * reach code that expects the field's type (a 500 instead of a 400).
 */
export const OptionalNotNull = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);
