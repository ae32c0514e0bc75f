import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import { ApiError, EARGS, EOVERQUOTA } from '../util';

/**
 * Whether a download of `s` bytes fits in the transfer quota (MEGA's SDK `CommandQueryTransferQuota`): 0 when it
 * does, -17 (EOVERQUOTA) when an account with a fixed transfer quota would go over it.
 */
export const qbq: CommandHandler = (cmd, ctx) => {
	const account = requireAccount(ctx);
	const size = Number(cmd.s);
	if (!Number.isSafeInteger(size) || size < 0) throw new ApiError(EARGS);
	if (account.transferQuotaFixed && account.transferUsed + size > account.transferMax) throw new ApiError(EOVERQUOTA);
	return 0;
};
