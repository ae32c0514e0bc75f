import type { CommandHandler } from '../state';
import { requireAccount } from '../state';

/** Logout: the session id is dead from now on (-15). */
export const sml: CommandHandler = (_cmd, ctx) => {
	requireAccount(ctx);
	if (ctx.session) ctx.state.store.sessions.delete(ctx.session.sid);
	return 0;
};
