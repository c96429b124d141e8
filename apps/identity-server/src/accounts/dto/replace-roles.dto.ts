import { RoleNames } from './role-names.decorator';

/** PUT /api/users/:id/roles: the complete new role set (an empty list removes every role). */
export class ReplaceRolesDto {
  @RoleNames()
  roles: string[];
}
