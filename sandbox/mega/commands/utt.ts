import type { CommandHandler } from '../state';
import { requireAccount } from '../state';

/** The account's payment transactions (MEGA's SDK `CommandGetUserTransactions`): a sandbox account has none, `[]`. */
export const utt: CommandHandler = (_cmd, ctx) => {
	requireAccount(ctx);
	return [];
};
