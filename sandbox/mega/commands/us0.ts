import type { CommandHandler } from '../state';
import { requireString } from '../util';

/** Pre-login: which key derivation the account uses (v2 carries its salt). Unknown emails look like v1 accounts. */
export const us0: CommandHandler = (cmd, ctx) => {
	const email = requireString(cmd.user).toLowerCase();
	const account = ctx.state.store.accountByEmail(email);
	if (account?.version === 2) return { v: 2, s: account.saltV2 };
	return { v: 1 };
};
