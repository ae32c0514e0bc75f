import type { CommandHandler } from '../state';
import { emit, ownNode, packet } from '../state';
import { ApiError, EACCESS, EARGS, isB64, nowSeconds } from '../util';

/**
 * Set attributes: the encrypted attribute object is replaced as a whole (`at`, or go-mega's `attr`); go-mega's
 * optional `key` rewrites the owner's key entry. Packet `u` with the new `at`.
 */
export const a: CommandHandler = (cmd, ctx) => {
	const { account, node } = ownNode(ctx, cmd.n);
	if (node.t > 1) throw new ApiError(EACCESS);
	const at = cmd.at ?? cmd.attr;
	if (!isB64(at) || at.length === 0) throw new ApiError(EARGS);
	if (cmd.key !== undefined) {
		if (!isB64(cmd.key) || (cmd.key.length !== 22 && cmd.key.length !== 43)) throw new ApiError(EARGS);
		ctx.state.store.setKey(node, account.userHandle, cmd.key);
	}
	node.a = at;
	emit(ctx, account.userHandle, [packet('u', cmd, { n: node.h, u: node.u, at, ts: nowSeconds() })]);
	return 0;
};
