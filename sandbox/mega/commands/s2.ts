import type { CommandHandler } from '../state';
import { emit, ownNode, packet } from '../state';
import { FOLDER } from '../store';
import { ApiError, EACCESS, EARGS, isB64, nowSeconds } from '../util';
import { applyCryptoRequest } from './shared';

/**
 * Share a folder. Only exports (`u: "EXP"`, the first half of a folder link) are supported: the owner's wrapped share
 * key (`ok`, `ha`) is kept for its `f`, and the `cr` keys make the subtree readable through the link. `r` empty or
 * missing removes the export (and its public handle).
 */
export const s2: CommandHandler = (cmd, ctx) => {
	const { account, node } = ownNode(ctx, cmd.n);
	const store = ctx.state.store;
	if (node.t !== FOLDER) throw new ApiError(EACCESS);
	if (!Array.isArray(cmd.s) || cmd.s.length === 0) throw new ApiError(EARGS);
	const packets = [];
	for (const target of cmd.s as Array<Record<string, unknown>>) {
		if (!target || target.u !== 'EXP') throw new ApiError(EACCESS);
		const ts = nowSeconds();
		if (target.r === undefined || target.r === '') {
			store.shares.delete(node.h);
			const ph = store.publicHandleOfNode.get(node.h);
			if (ph) {
				store.publicLinks.delete(ph);
				store.publicHandleOfNode.delete(node.h);
				packets.push(packet('ph', cmd, { h: node.h, ph, d: 1, ts }));
			}
			packets.push(packet('s2', cmd, { n: node.h, o: account.userHandle, u: 'EXP', ts }));
			continue;
		}
		const r = Number(target.r);
		if (![0, 1, 2].includes(r)) throw new ApiError(EARGS);
		const existing = store.shares.get(node.h);
		const ok = isB64(cmd.ok) ? cmd.ok : existing?.ok;
		const ha = isB64(cmd.ha) ? cmd.ha : existing?.ha;
		store.shares.set(node.h, { h: node.h, owner: account.userHandle, u: 'EXP', r, ts, ok, ha });
		packets.push(packet('s2', cmd, { n: node.h, o: account.userHandle, u: 'EXP', r, ts, ok, ha }));
	}
	applyCryptoRequest(ctx, account, cmd.cr, (_index, listed) => (typeof listed === 'string' ? store.nodes.get(listed) : undefined));
	emit(ctx, account.userHandle, packets);
	return 0;
};
