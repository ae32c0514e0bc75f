import type { CommandHandler } from '../state';
import { emit, ownNode, packet } from '../state';
import { FOLDER } from '../store';
import { ApiError, EACCESS, EARGS, isB64, nowSeconds } from '../util';
import { applyCryptoRequest } from './shared';

/**
 * Share a folder. Only exports (`u: "EXP"`, the first half of a folder link) are supported: the owner's wrapped share
 * key (`ok`, `ha`) is kept for its `f`, and the `cr` keys make the subtree readable through the link.
 *
 * - The server never replaces a folder's share key: an `s2` whose `ok` differs from the one it holds changes nothing
 *   and is answered `{ok: <the key it holds>}` (MEGA's SDK: "an owner key response will only occur if the same share
 *   was created concurrently with a different key"; it retries with that key). The `ok` held may be the all-zero
 *   dummy that MEGA's own apps write (their real key lives in the `^!keys` attribute), so it may be useless.
 * - `r` empty or missing removes the export. That also deletes the folder's public handle, but only an `s2` packet
 *   says so (no `ph d:1`): MEGA's SDK sends `l {n, d:1}` before removing the share for that reason.
 */
export const s2: CommandHandler = (cmd, ctx) => {
	const { account, node } = ownNode(ctx, cmd.n);
	const store = ctx.state.store;
	if (node.t !== FOLDER) throw new ApiError(EACCESS);
	if (!Array.isArray(cmd.s) || cmd.s.length === 0) throw new ApiError(EARGS);
	const targets = cmd.s as Array<Record<string, unknown>>;
	for (const target of targets) if (!target || target.u !== 'EXP') throw new ApiError(EACCESS);
	const existing = store.shares.get(node.h);
	const adds = targets.some((target) => target.r !== undefined && target.r !== '');
	if (adds && existing?.ok && isB64(cmd.ok) && cmd.ok !== existing.ok) return { ok: existing.ok };

	const packets = [];
	for (const target of targets) {
		const ts = nowSeconds();
		if (target.r === undefined || target.r === '') {
			store.shares.delete(node.h);
			const ph = store.publicHandleOfNode.get(node.h);
			if (ph) {
				store.publicLinks.delete(ph);
				store.publicHandleOfNode.delete(node.h);
			}
			packets.push(packet('s2', cmd, { n: node.h, o: account.userHandle, u: 'EXP', ts }));
			continue;
		}
		const r = Number(target.r);
		if (![0, 1, 2].includes(r)) throw new ApiError(EARGS);
		const current = store.shares.get(node.h);
		const ok = isB64(cmd.ok) ? cmd.ok : current?.ok;
		const ha = isB64(cmd.ha) ? cmd.ha : current?.ha;
		store.shares.set(node.h, { h: node.h, owner: account.userHandle, u: 'EXP', r, ts, ok, ha });
		packets.push(packet('s2', cmd, { n: node.h, o: account.userHandle, u: 'EXP', r, ts, ok, ha }));
	}
	applyCryptoRequest(ctx, account, cmd.cr, (_index, listed) => (typeof listed === 'string' ? store.nodes.get(listed) : undefined));
	emit(ctx, account.userHandle, packets);
	return 0;
};
