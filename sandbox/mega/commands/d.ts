import type { CommandHandler } from '../state';
import { emit, ownNode, packet } from '../state';
import { ApiError, EACCESS } from '../util';

/** Delete a node and its subtree for good (versions included); one `d` packet names the top node. */
export const d: CommandHandler = (cmd, ctx) => {
	const { account, node } = ownNode(ctx, cmd.n);
	if (node.t > 1) throw new ApiError(EACCESS);
	ctx.state.store.removeSubtree(node.h);
	emit(ctx, account.userHandle, [packet('d', cmd, { n: node.h, ou: account.userHandle })]);
	return 0;
};
