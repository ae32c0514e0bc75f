import { createHash } from 'node:crypto';
import type { CommandHandler } from '../state';
import { requireAccount } from '../state';

/**
 * The account's live sessions (MEGA's SDK: `src/commands.cpp` `CommandGetUserSessions`), one array each:
 * `[created, last used, user agent, ip, country, current (1/0), session id (8 bytes, base64url), alive (1), device id]`.
 * The session id is derived from the sid by hashing, never the sid itself.
 */
export const usl: CommandHandler = (_cmd, ctx) => {
	const account = requireAccount(ctx);
	const sessions = [];
	for (const session of ctx.state.store.sessions.values()) {
		if (session.userHandle !== account.userHandle || session.expired || session.internal) continue;
		const id = createHash('sha256').update(session.sid).digest().subarray(0, 8).toString('base64url');
		const current = session.sid === ctx.session?.sid ? 1 : 0;
		const created = Math.floor(session.created / 1000);
		sessions.push([created, created, 'sandbox client', '127.0.0.1', 'XX', current, id, 1, '']);
	}
	return sessions;
};
