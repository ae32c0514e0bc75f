import type { CommandHandler } from '../state';
import { emit, ownNode, packet } from '../state';
import { ApiError, EACCESS, nowSeconds } from '../util';

/**
 * Public handles. Create (`l {n}`: the same handle again if the node is already exported) or delete (`d:1`).
 * Expiring links (`ets`) are Pro-only on MEGA: a sandbox account is a free account, so -11.
 */
export const l: CommandHandler = (cmd, ctx) => {
	const { account, node } = ownNode(ctx, cmd.n);
	const store = ctx.state.store;
	if (node.t > 1) throw new ApiError(EACCESS);
	const existing = store.publicHandleOfNode.get(node.h);
	if (cmd.d === 1 || cmd.d === '1') {
		if (existing) {
			store.publicLinks.delete(existing);
			store.publicHandleOfNode.delete(node.h);
			emit(ctx, account.userHandle, [packet('ph', cmd, { h: node.h, ph: existing, d: 1, ts: nowSeconds() })]);
		}
		return 0;
	}
	if (cmd.ets !== undefined) throw new ApiError(EACCESS);
	if (existing) return existing;
	const ph = store.newNodeHandle();
	const ts = nowSeconds();
	store.publicLinks.set(ph, { ph, h: node.h, ts });
	store.publicHandleOfNode.set(node.h, ph);
	emit(ctx, account.userHandle, [packet('ph', cmd, { h: node.h, ph, n: 1, ts })]);
	return ph;
};
