import type { CommandHandler } from '../state';
import { emit, ownNode, packet } from '../state';
import { FILE } from '../store';
import { ApiError, EACCESS, ECIRCULAR, ENOENT } from '../util';
import { applyCryptoRequest } from './shared';

/**
 * Move a node (and its subtree) under another folder: `d` with `m:1`, then `t` with the moved subtree. In `v=3` only
 * the `d` packet carries the sequence tag (MEGA's SDK, `src/commands.cpp` `CommandMoveNode`).
 */
export const m: CommandHandler = (cmd, ctx) => {
	const { account, node } = ownNode(ctx, cmd.n);
	const store = ctx.state.store;
	if (node.t > 1) throw new ApiError(EACCESS);
	const target = typeof cmd.t === 'string' ? store.nodes.get(cmd.t) : undefined;
	if (!target) throw new ApiError(ENOENT);
	if (target.u !== account.userHandle || target.t === FILE) throw new ApiError(EACCESS);
	if (store.isInSubtree(target.h, node.h)) throw new ApiError(ECIRCULAR);
	store.moveNode(node.h, target.h);
	applyCryptoRequest(ctx, account, cmd.cr, (_index, listed) => (typeof listed === 'string' ? store.nodes.get(listed) : undefined));
	const moved = store.subtree(node.h).map((n) => store.nodeJson(n));
	emit(ctx, account.userHandle, [packet('d', cmd, { n: node.h, m: 1, ou: account.userHandle }), packet('t', cmd, { t: { f: moved }, ou: account.userHandle })], {
		onFirstOnly: true,
	});
	return 0;
};
