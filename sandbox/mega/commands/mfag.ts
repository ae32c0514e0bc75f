import type { CommandHandler } from '../state';
import { requireString } from '../util';

/** Whether the account behind an email has two-factor authentication on (1) or not (0). */
export const mfag: CommandHandler = (cmd, ctx) => {
	const account = ctx.state.store.accountByEmail(requireString(cmd.e));
	return account?.totpSecret ? 1 : 0;
};
