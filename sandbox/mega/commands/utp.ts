import type { CommandHandler } from '../state';
import { requireAccount } from '../state';

/** The account's purchases (MEGA's SDK `CommandGetUserPurchases`): a sandbox account has none, `[]`. */
export const utp: CommandHandler = (_cmd, ctx) => {
	requireAccount(ctx);
	return [];
};
