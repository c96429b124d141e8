import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { PlainText } from '../../common/plain-text.decorator';

/** A catalogue entry. The name is an RFC 6749 §3.3 scope-token. */
export class CreateScopeDto {
  @ApiProperty({ example: 'invoices:read', maxLength: 128 })
  @IsString()
  @Length(1, 128)
  @Matches(/^[\x21\x23-\x5b\x5d-\x7e]+$/, {
    message: 'name must be an RFC 6749 scope token (printable, no space, quote or backslash)',
  })
  name: string;

  @ApiProperty({
    example: 'See your invoices',
    maxLength: 500,
    description: 'Plain words, shown to users on the consent page',
  })
  @IsString()
  @Length(1, 500)
  @PlainText()
  description: string;
}

export class DescribeScopeDto {
  @ApiProperty({ maxLength: 500 })
  @IsString()
  @Length(1, 500)
  @PlainText()
  description: string;
}
