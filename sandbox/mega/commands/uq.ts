import type { CommandHandler } from '../state';
import { requireAccount } from '../state';
import { FILE } from '../store';

/** The share of the storage quota (in 1/100 %) past which MEGA warns: `uslw`. */
const STORAGE_WARNING_BASIS_POINTS = 9000;

/**
 * Quota figures from real usage: stored bytes per root (files, versions) and transfer used by downloads. A free
 * account (no fixed transfer quota) gets no `mxfer`, as on MEGA: its limit is dynamic; its use is reported as
 * uncommitted transfer (`tua` own, `tuo` served to others), which MEGA's SDK adds to `caxfer`/`csxfer`.
 */
export const uq: CommandHandler = (_cmd, ctx) => {
	const account = requireAccount(ctx);
	const store = ctx.state.store;
	const perRoot: Record<string, number[]> = {};
	for (const root of [account.rootHandle, account.inboxHandle, account.rubbishHandle]) {
		let bytes = 0;
		let files = 0;
		let folders = 0;
		let versionBytes = 0;
		let versionFiles = 0;
		for (const node of store.subtree(root).slice(1)) {
			const parent = store.nodes.get(node.p);
			if (node.t === FILE && parent?.t === FILE) {
				versionBytes += node.s ?? 0;
				versionFiles++;
			} else if (node.t === FILE) {
				bytes += node.s ?? 0;
				files++;
			} else folders++;
		}
		perRoot[root] = [bytes, files, folders, versionBytes, versionFiles];
	}
	const reply: Record<string, unknown> = {
		utype: 0,
		cstrg: account.storageUsed,
		mstrg: account.storageMax,
		cstrgn: perRoot,
		uslw: STORAGE_WARNING_BASIS_POINTS,
		...(account.transferQuotaFixed
			? { mxfer: account.transferMax, caxfer: account.transferUsed, csxfer: 0 }
			: { caxfer: 0, csxfer: 0, tua: account.transferUsed, tuo: 0 }),
		srvratio: 0,
	};
	// v3: the storage level MEGA's SDK reads as `usl` (`src/commands.cpp` `CommandGetUserQuota::procresult`; without it
	// the SDK logs "Storage status is unknown"): 0 green, 1 orange (at or past the `uslw` warning share, in 1/100 %),
	// 2 red (full).
	if (ctx.dialect === 'v3') {
		const used = account.storageUsed;
		const max = account.storageMax;
		reply.usl = used >= max ? 2 : used * 10_000 >= max * STORAGE_WARNING_BASIS_POINTS ? 1 : 0;
	}
	return reply;
};
