import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import { ApiError, EARGS } from '../util';
import { checkStorage } from './shared';

/** Upload URL for a file of `s` bytes; -17 when it cannot fit in the account's storage. */
export const u: CommandHandler = (cmd, ctx) => {
	const account = requireAccount(ctx);
	const size = Number(cmd.s);
	if (!Number.isSafeInteger(size) || size < 0) throw new ApiError(EARGS);
	checkStorage(account, size);
	const token = ctx.state.transfers.createUpload(account.userHandle, size);
	return { p: `${ctx.state.gateway}ul/${token}` };
};
