import type { CommandHandler } from '../state';
import { STORAGE_HOST_IPS } from '../dialect';
import { requireAccount } from '../state';
import { ApiError, EARGS } from '../util';
import { checkStorage } from './shared';

/**
 * Upload URL for a file of `s` bytes; -17 when it cannot fit in the account's storage. `v` >= 2 (megajs, megatools,
 * MEGA's SDK) makes the storage server answer a 36-byte binary completion token; without `v` (mega.py, go-mega) it
 * answers a base64 text token, which the client sends to `p` as it is.
 */
export const u: CommandHandler = (cmd, ctx) => {
	const account = requireAccount(ctx);
	const size = Number(cmd.s);
	if (!Number.isSafeInteger(size) || size < 0) throw new ApiError(EARGS);
	checkStorage(account, size);
	const version = Number(cmd.v ?? 0);
	const token = ctx.state.transfers.createUpload(account.userHandle, size, version >= 2 ? 'binary' : 'text');
	const reply: Record<string, unknown> = { p: `${ctx.state.gateway}ul/${token}` };
	if (ctx.dialect === 'v3') reply.ip = STORAGE_HOST_IPS;
	return reply;
};
