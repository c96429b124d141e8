import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { PlainText } from '../../common/plain-text.decorator';
import { OptionalNotNull } from '../../common/optional-not-null.decorator';
import { REGISTRABLE_GRANT_TYPES } from '../client-review-state';

/**
 * SPEC: `POST /api/clients`. Only these fields are accepted: anything else
 * (status, client_id, owner, first_party...) is refused with 400, so a
 * registrant cannot assign themselves what only a review grants.
 */
export class RegisterClientDto {
  @ApiProperty({ maxLength: 100, example: 'Billing dashboard' })
  @IsString()
  @Length(1, 100)
  @PlainText()
  name: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(1000)
  @PlainText({ lines: true, empty: true })
  description?: string;

  @ApiPropertyOptional({
    description: 'An e-mail address for the team that runs the application',
    maxLength: 254,
  })
  @OptionalNotNull()
  @IsEmail()
  @MaxLength(254)
  contact?: string;

  @ApiProperty({ enum: REGISTRABLE_GRANT_TYPES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(REGISTRABLE_GRANT_TYPES.length)
  @ArrayUnique()
  @IsIn(REGISTRABLE_GRANT_TYPES, { each: true })
  grant_types: string[];

  @ApiPropertyOptional({
    type: [String],
    description: 'Absolute https URIs (http on loopback only), matched exactly',
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(2000, { each: true })
  redirect_uris?: string[];

  @ApiPropertyOptional({
    description: 'Space-separated scopes from the catalogue',
    example: 'orders:read',
  })
  @OptionalNotNull()
  @IsString()
  @MaxLength(1000)
  scope?: string;
}
