import { IsIn } from 'class-validator';

/** The statuses an admin may set. `locked` is the lockout policy's alone; setting `active` lifts it. */
export const SETTABLE_STATUSES = ['active', 'disabled'] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

/** PATCH /api/users/:id/status. */
export class SetStatusDto {
  @IsIn(SETTABLE_STATUSES)
  status: SettableStatus;
}
