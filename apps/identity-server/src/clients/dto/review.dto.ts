import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { PlainText } from '../../common/plain-text.decorator';
import { OptionalNotNull } from '../../common/optional-not-null.decorator';
import { REGISTRABLE_GRANT_TYPES } from '../client-review-state';

/** SPEC: approval may narrow what was asked; `first_party: true` is needed to keep the password grant. */
export class ApproveClientDto {
  @ApiPropertyOptional({
    enum: REGISTRABLE_GRANT_TYPES,
    isArray: true,
    description: 'A subset of the requested grant types',
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(REGISTRABLE_GRANT_TYPES, { each: true })
  grant_types?: string[];

  @ApiPropertyOptional({ description: 'A subset of the requested scope' })
  @OptionalNotNull()
  @IsString()
  @MaxLength(1000)
  scope?: string;

  @ApiPropertyOptional({
    description: 'A trusted first-party application (required to keep the password grant)',
  })
  @OptionalNotNull()
  @IsBoolean()
  first_party?: boolean;
}

/** A decision that must be explained: rejection, suspension. */
export class ReasonDto {
  @ApiProperty({ maxLength: 500 })
  @IsString()
  @Length(1, 500)
  @PlainText({ lines: true })
  reason: string;
}
