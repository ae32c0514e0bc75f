import type { CommandHandler } from '../state';
import { emit, packet, requireAccount } from '../state';
import { FILE } from '../store';

/** Delete every old version in the account (files whose parent is a file); current files stay. */
export const dv: CommandHandler = (cmd, ctx) => {
	const account = requireAccount(ctx);
	const store = ctx.state.store;
	const packets = [];
	const { current } = store.accountTree(account);
	for (const file of current) {
		if (file.t !== FILE) continue;
		for (const version of store.childrenOf(file.h)) {
			if (version.t !== FILE) continue;
			store.removeSubtree(version.h);
			packets.push(packet('d', cmd, { n: version.h, ou: account.userHandle }));
		}
	}
	emit(ctx, account.userHandle, packets);
	return 0;
};
