import { PageQuery } from '../../common/page.query';

/** GET /api/users?limit=&offset=: accounts in creation order. */
export class ListUsersQuery extends PageQuery {}
