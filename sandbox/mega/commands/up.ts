import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import { GiB, TiB } from '../store';
import { ApiError, EARGS, isB64 } from '../util';

/**
 * Without a session: create an ephemeral (anonymous) account from `k` (master key under a client-chosen key) and
 * `ts` (ssc ‖ ECB(master, ssc)). With a session: update the account's own fields (only `name` is kept).
 */
export const up: CommandHandler = (cmd, ctx) => {
	if (ctx.session) {
		const account = requireAccount(ctx);
		if (typeof cmd.name === 'string') account.name = cmd.name;
		return account.userHandle;
	}
	if (!isB64(cmd.k, 22) || !isB64(cmd.ts, 43)) throw new ApiError(EARGS);
	const account = ctx.state.store.addAccount({
		version: 1,
		k: cmd.k,
		ts: cmd.ts,
		ephemeral: true,
		name: '',
		storageMax: 20 * GiB,
		transferMax: 10 * TiB,
		transferQuotaFixed: false,
		fileVersioning: true,
		transferResetSeconds: 3600,
	});
	ctx.state.feed.open(account.userHandle);
	return account.userHandle;
};
