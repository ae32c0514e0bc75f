import type { CommandContext } from '../state';
import type { AccountRecord, NodeRecord } from '../store';
import { FILE } from '../store';
import { ApiError, EARGS, EOVERQUOTA, isB64 } from '../util';

/**
 * Stores the share-key material of a `cr` crypto request: `[[share handles], [node handles], [si, ni, key, …]]`.
 * Each triple becomes a `<share handle>:<key>` entry in that node's `k`, which is how nodes inside an exported
 * folder become readable through the folder link. `resolveNode` maps a node index to the node it means (for `p`,
 * the index refers to the new nodes in `n[]`, whatever placeholder the client put in the list).
 */
export function applyCryptoRequest(ctx: CommandContext, account: AccountRecord, cr: unknown, resolveNode: (index: number, listed: unknown) => NodeRecord | undefined): void {
	if (cr === undefined) return;
	if (!Array.isArray(cr) || cr.length < 3 || !Array.isArray(cr[0]) || !Array.isArray(cr[1]) || !Array.isArray(cr[2])) throw new ApiError(EARGS);
	const [shares, nodes, triples] = cr as [unknown[], unknown[], unknown[]];
	if (triples.length % 3 !== 0) throw new ApiError(EARGS);
	const store = ctx.state.store;
	for (let i = 0; i < triples.length; i += 3) {
		const shareIndex = triples[i];
		const nodeIndex = triples[i + 1];
		const key = triples[i + 2];
		if (typeof shareIndex !== 'number' || typeof nodeIndex !== 'number' || !isB64(key) || (key.length !== 22 && key.length !== 43)) throw new ApiError(EARGS);
		const shareHandle = shares[shareIndex];
		if (typeof shareHandle !== 'string') throw new ApiError(EARGS);
		const shareNode = store.nodes.get(shareHandle);
		// Only the owner's own shared folders may receive keys.
		if (!shareNode || shareNode.u !== account.userHandle || !store.shares.has(shareHandle)) continue;
		const node = resolveNode(nodeIndex, nodes[nodeIndex]);
		if (!node || node.u !== account.userHandle || !store.isInSubtree(node.h, shareHandle)) continue;
		store.setKey(node, shareHandle, key);
	}
}

export function checkStorage(account: AccountRecord, addedBytes: number): void {
	if (addedBytes > 0 && account.storageUsed + addedBytes > account.storageMax) throw new ApiError(EOVERQUOTA);
}

export function isVersion(ctx: CommandContext, node: NodeRecord): boolean {
	const parent = ctx.state.store.nodes.get(node.p);
	return node.t === FILE && parent?.t === FILE;
}
