import { JsonList } from '../json-chunks';
import type { CommandContext, CommandHandler } from '../state';
import { requireAccount } from '../state';
import type { NodeRecord } from '../store';
import { ApiError, ENOENT } from '../util';

/** The node list of the reply: serialized while the reply is written when the caller streams it. */
function nodeList(ctx: CommandContext, nodes: Iterable<NodeRecord>, keyFilter?: string): JsonList<NodeRecord> | unknown[] {
	const store = ctx.state.store;
	if (ctx.deferredLists) return new JsonList(nodes, (node) => store.nodeText(node, keyFilter));
	return Array.from(nodes, (node) => store.nodeJson(node, keyFilter));
}

/**
 * Fetch nodes. For an account session: the three roots and every node (parents before children, old versions in
 * `f2`), outgoing shares (`ok`, `s`), public links (`ph`) and the `sn` to poll the feed from.
 * For a folder link (`&n=` on the query): the exported subtree, root first, keys as `<root>:<key under share key>`.
 */
export const f: CommandHandler = (_cmd, ctx) => {
	const store = ctx.state.store;
	const sn = ctx.state.feed.current();
	if (ctx.folderLink) {
		const root = store.nodes.get(ctx.folderLink.rootHandle);
		if (!root) throw new ApiError(ENOENT);
		return { f: nodeList(ctx, store.subtree(root.h), root.h), ok: [], s: [], u: [], sn, noc: 1 };
	}
	const account = requireAccount(ctx);
	let current: Iterable<NodeRecord>;
	let versions: NodeRecord[];
	if (ctx.deferredLists) {
		// Walked while `f` is written, which fills `versions` before `f2` is.
		versions = [];
		current = store.walkAccountTree(account, versions);
	} else ({ current, versions } = store.accountTree(account));
	const ok: unknown[] = [];
	const shares: unknown[] = [];
	for (const share of store.shares.values()) {
		if (share.owner !== account.userHandle) continue;
		if (share.ok) ok.push({ h: share.h, ha: share.ha, k: share.ok });
		shares.push({ h: share.h, u: share.u, r: share.r, ts: share.ts });
	}
	const ph: unknown[] = [];
	for (const link of store.publicLinks.values()) {
		const node = store.nodes.get(link.h);
		if (node?.u === account.userHandle) ph.push({ h: link.h, ph: link.ph, ts: link.ts });
	}
	const reply: Record<string, unknown> = {
		f: nodeList(ctx, current),
		f2: nodeList(ctx, versions),
		ok,
		s: shares,
		ph,
		u: [{ u: account.userHandle, c: 2, m: account.email ?? '' }],
		sn,
		noc: 1,
	};
	// v3: the account's current sequence tag (MEGA's SDK, `src/commands.cpp` `CommandFetchNodes::procresult` reads `st`).
	if (ctx.dialect === 'v3') reply.st = ctx.state.feed.currentSeqTag(account.userHandle);
	return reply;
};
