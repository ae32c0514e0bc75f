import type { CommandHandler } from '../state';
import { emit, packet, requireAccount } from '../state';

/** Empty the rubbish bin: every top-level item in it is deleted, one `d` packet each. */
export const dr: CommandHandler = (cmd, ctx) => {
	const account = requireAccount(ctx);
	const store = ctx.state.store;
	const packets = [];
	for (const child of store.childrenOf(account.rubbishHandle)) {
		store.removeSubtree(child.h);
		packets.push(packet('d', cmd, { n: child.h, ou: account.userHandle }));
	}
	emit(ctx, account.userHandle, packets);
	return 0;
};
