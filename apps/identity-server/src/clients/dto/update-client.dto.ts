import { PartialType } from '@nestjs/swagger';
import { RegisterClientDto } from './register-client.dto';

/** Changes to a pending registration: the same fields and rules, all optional (but never `null`). */
export class UpdateClientDto extends PartialType(RegisterClientDto, {
  skipNullProperties: false,
}) {}
