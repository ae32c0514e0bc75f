import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import { ApiError, ENOENT } from '../util';

/** Public service announcement to show (MEGA's SDK `CommandGetPSA`): the sandbox has none to show, -9. */
export const gpsa: CommandHandler = (_cmd, ctx) => {
	requireAccount(ctx);
	throw new ApiError(ENOENT);
};
