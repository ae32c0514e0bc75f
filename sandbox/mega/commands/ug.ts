import type { CommandHandler } from '../state';
import { requireAccount } from '../state';

/** The logged-in user: megajs needs `u` and `name`; the SDK reads more (`aav`, `aas`, keys). */
export const ug: CommandHandler = (_cmd, ctx) => {
	const account = requireAccount(ctx);
	if (account.ephemeral) return { u: account.userHandle, s: 1, n: 0, k: account.k, c: 0, ts: account.ts, since: account.since };
	const reply: Record<string, unknown> = {
		u: account.userHandle,
		s: 0,
		since: account.since,
		email: account.email,
		emails: [account.email],
		pemails: [],
		name: account.name,
		k: account.k,
		c: 1,
		pubk: account.pubk,
		privk: account.privk,
		// v3 adds `nlfe` (new link format enabled), on which MEGA's SDK prints `/file/` and `/folder/` links
		// (`MegaClient::readmiscflags`); legacy replies stay as they were.
		flags: ctx.dialect === 'v3' ? { mfae: 1, nlfe: 1 } : { mfae: 1 },
		aav: account.version,
	};
	if (account.version === 2) reply.aas = account.saltV2;
	// Versioned attributes the account stored (`upv`/`up2`) as `"<name>": {"av","v"}` (MEGA's SDK:
	// `src/commands.cpp` `CommandGetUserData::parseUserAttribute`). Absent until a client stores one.
	for (const [name, record] of Object.entries(account.userAttributes ?? {})) {
		if (!(name in reply)) reply[name] = { av: record.av, v: record.v };
	}
	return reply;
};
