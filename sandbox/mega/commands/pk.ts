import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import { ApiError, ENOENT } from '../util';

/**
 * Pending share keys from contacts (MEGA's SDK: `src/commands.cpp` `CommandPendingKeys`). The sandbox has no shares
 * to other users, so there are never any: -9, which the SDK reads as "no share keys". Deleting (`d`) or adding
 * (`u`/`h`/`k`) one is acknowledged with 0.
 */
export const pk: CommandHandler = (cmd, ctx) => {
	requireAccount(ctx);
	if (cmd.d !== undefined || cmd.u !== undefined) return 0;
	throw new ApiError(ENOENT);
};
