import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import { ApiError, EARGS, EOVERQUOTA } from '../util';

/**
 * Whether a download of `s` bytes fits in the transfer quota (MEGA's SDK `CommandQueryTransferQuota`): 0 when it
 * does, -17 (EOVERQUOTA) when an account with a fixed transfer quota would go over it. Without a session (a
 * folder-link session downloading, or no login) the sandbox has no per-IP quota to check: 0.
 */
export const qbq: CommandHandler = (cmd, ctx) => {
	const size = Number(cmd.s);
	if (!Number.isSafeInteger(size) || size < 0) throw new ApiError(EARGS);
	if (!ctx.session) return 0;
	const account = requireAccount(ctx);
	if (account.transferQuotaFixed && account.transferUsed + size > account.transferMax) throw new ApiError(EOVERQUOTA);
	return 0;
};
