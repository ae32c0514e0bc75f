import type { CommandHandler } from '../state';
import { STORAGE_HOST_IPS } from '../dialect';
import { requireAccount } from '../state';
import type { NodeRecord } from '../store';
import { FILE } from '../store';
import { ApiError, EACCESS, EARGS, ENOENT } from '../util';

/**
 * File info and download URL: own files (`n`), public files (`p`), files inside a folder link (`n` plus `&n=` on
 * the query). `g:1` adds the download URL (always plain http on 127.0.0.1; `ssl` is accepted and ignored).
 */
export const g: CommandHandler = (cmd, ctx) => {
	const store = ctx.state.store;
	let node: NodeRecord | undefined;
	let chargeTo: string | undefined;
	if (typeof cmd.p === 'string') {
		const link = store.publicLinks.get(cmd.p);
		node = link ? store.nodes.get(link.h) : undefined;
		if (!node || node.t !== FILE) throw new ApiError(ENOENT);
		chargeTo = ctx.session?.userHandle;
	} else if (typeof cmd.n === 'string') {
		node = store.nodes.get(cmd.n);
		if (ctx.folderLink) {
			if (!node || !store.isInSubtree(node.h, ctx.folderLink.rootHandle)) throw new ApiError(ENOENT);
			chargeTo = ctx.session?.userHandle;
		} else {
			const account = requireAccount(ctx);
			if (!node) throw new ApiError(ENOENT);
			if (node.u !== account.userHandle) throw new ApiError(EACCESS);
			chargeTo = account.userHandle;
		}
		if (node.t !== FILE) throw new ApiError(EACCESS);
	} else {
		throw new ApiError(EARGS);
	}
	const reply: Record<string, unknown> = { s: node.s ?? 0, at: node.a, msd: 1, tl: 0 };
	if (node.fa) reply.fa = node.fa;
	if (cmd.g === 1 || cmd.g === '1') {
		const token = ctx.state.transfers.createDownload(node.blobId as string, node.s ?? 0, chargeTo);
		reply.g = `${ctx.state.gateway}dl/${token}`;
		if (ctx.dialect === 'v3') reply.ip = STORAGE_HOST_IPS;
	}
	return reply;
};
