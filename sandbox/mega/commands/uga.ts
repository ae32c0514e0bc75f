import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import { ApiError, EACCESS, ENOENT, requireString } from '../util';
import { requireAttributeName } from './user-attributes';

/**
 * Get one user attribute: `{"a":"uga","u":"<user handle or email>","ua":"<name>","v":1}` → `{"av","v"}` (MEGA's SDK:
 * `src/commands.cpp` `CommandGetUA::procresult`), -9 when it was never set. Any account's public (`+`) attributes
 * can be read; the others only by their own account (-11).
 */
export const uga: CommandHandler = (cmd, ctx) => {
	const me = requireAccount(ctx);
	const store = ctx.state.store;
	const user = requireString(cmd.u);
	const name = requireAttributeName(cmd.ua);
	const account = store.accounts.get(user) ?? store.accountByEmail(user);
	if (!account) throw new ApiError(ENOENT);
	if (account.userHandle !== me.userHandle && !name.startsWith('+')) throw new ApiError(EACCESS);
	const record = account.userAttributes?.[name];
	if (!record) throw new ApiError(ENOENT);
	return { av: record.av, v: record.v };
};
