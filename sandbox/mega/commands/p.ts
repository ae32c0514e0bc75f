import type { Command, CommandContext, CommandHandler } from '../state';
import { emit, packet, requireAccount } from '../state';
import type { AccountRecord, NodeRecord } from '../store';
import { FILE, FOLDER } from '../store';
import { ApiError, EACCESS, EARGS, ENOENT, isB64, nowSeconds } from '../util';
import { applyCryptoRequest, checkStorage } from './shared';

interface Planned {
	node: NodeRecord;
	blob?: { id: string };
	/** Completion token to consume once every check passed. */
	completion?: string;
}

function keyEntry(account: AccountRecord, k: unknown): Array<[string, string]> {
	if (typeof k !== 'string' || k.length === 0) throw new ApiError(EARGS);
	// Clients send the bare wrapped key; an `id:key` form is taken as it is.
	if (k.includes(':')) {
		return k.split('/').map((part) => {
			const [id, key] = part.split(':');
			if (!isB64(id) || !isB64(key)) throw new ApiError(EARGS);
			return [id, key] as [string, string];
		});
	}
	if (!isB64(k) || (k.length !== 22 && k.length !== 43)) throw new ApiError(EARGS);
	return [[account.userHandle, k]];
}

function faString(fa: unknown): string | undefined {
	if (typeof fa !== 'string' || fa.length === 0) return undefined;
	// The client sends `<type>*<handle>`; the server adds its cluster number.
	return fa
		.split('/')
		.map((part) => (/^\d+:/.test(part) ? part : `1:${part}`))
		.join('/');
}

/** Works out one `n[]` entry: a new folder, a finished upload, an import from a public handle, or a copy. */
function planNode(ctx: CommandContext, account: AccountRecord, entry: Record<string, unknown>, parent: string): Planned {
	const store = ctx.state.store;
	const type = entry.t;
	const a = typeof entry.a === 'string' ? entry.a : '';
	if (!isB64(a)) throw new ApiError(EARGS);
	const node: NodeRecord = { h: store.newNodeHandle(), p: parent, u: account.userHandle, t: FOLDER, a, keys: keyEntry(account, entry.k), ts: nowSeconds() };
	const clientHandle = typeof entry.h === 'string' ? entry.h : undefined;
	if (type === FOLDER) return { node };
	if (type !== FILE) throw new ApiError(EARGS);
	node.t = FILE;
	node.fa = faString(entry.fa);
	if (typeof entry.ph === 'string') {
		const link = store.publicLinks.get(entry.ph);
		const source = link ? store.nodes.get(link.h) : undefined;
		if (!source || source.t !== FILE || !source.blobId) throw new ApiError(ENOENT);
		node.s = source.s;
		node.fa = node.fa ?? source.fa;
		return { node, blob: { id: source.blobId } };
	}
	// A finished upload: the completion token as it was issued (48 = base64url of a binary token, 36 = a text token).
	if (clientHandle && (clientHandle.length === 48 || clientHandle.length === 36)) {
		const completion = ctx.state.transfers.peekCompletion(clientHandle, account.userHandle);
		if (!completion) throw new ApiError(ENOENT);
		node.s = completion.size;
		return { node, blob: { id: completion.blobId }, completion: clientHandle };
	}
	if (clientHandle && clientHandle.length === 8) {
		// Server-side copy of a file the account owns (how MEGA's SDK copies: `h` = the source node).
		const source = store.nodes.get(clientHandle);
		if (!source || source.t !== FILE || !source.blobId) throw new ApiError(ENOENT);
		if (source.u !== account.userHandle) throw new ApiError(EACCESS);
		node.s = source.s;
		node.fa = node.fa ?? source.fa;
		return { node, blob: { id: source.blobId } };
	}
	throw new ApiError(EARGS);
}

/**
 * Put nodes: new folders, finished uploads (completion token in `h`), imports (`ph`), copies (`h` = existing file),
 * with `ov` to make a new file the current version of an old one (or to replace it: `vb`, below), and `cr` for
 * folders that are exported.
 * Legacy reply `{f:[new nodes]}`; one `t` packet for everyone else.
 */
export const p: CommandHandler = (cmd: Command, ctx) => {
	const account = requireAccount(ctx);
	const store = ctx.state.store;
	if (!Array.isArray(cmd.n) || cmd.n.length === 0) throw new ApiError(EARGS);
	const target = typeof cmd.t === 'string' ? store.nodes.get(cmd.t) : undefined;
	if (!target) throw new ApiError(ENOENT);
	if (target.u !== account.userHandle || target.t === FILE) throw new ApiError(EACCESS);

	const planned: Planned[] = [];
	// The new node each earlier entry's `h` became (folders: their temporary handle; files: the source or token).
	const byClientHandle = new Map<string, NodeRecord>();
	const tokens = new Set<string>();
	const existingFolder = (owner: string, handle: string): string | undefined => {
		const node = store.nodes.get(handle);
		return node && node.u === owner && node.t !== FILE ? node.h : undefined;
	};
	for (const raw of cmd.n as unknown[]) {
		if (!raw || typeof raw !== 'object') throw new ApiError(EARGS);
		const entry = raw as Record<string, unknown>;
		let parent = target.h;
		if (typeof entry.p === 'string' && entry.p.length > 0) {
			// A child names its parent by the handle of an earlier entry, or by an existing own folder. A file whose
			// parent is an earlier file entry is an old version of it: MEGAcmd's `cp` of a file with versions sends
			// them so, `p` = the source handle of the copied file.
			const earlier = byClientHandle.get(entry.p);
			const mapped = earlier ? (earlier.t === FILE && entry.t !== FILE ? undefined : earlier.h) : existingFolder(account.userHandle, entry.p);
			if (!mapped) throw new ApiError(EARGS);
			parent = mapped;
		}
		const item = planNode(ctx, account, entry, parent);
		if (item.completion) {
			if (tokens.has(item.completion)) throw new ApiError(EARGS);
			tokens.add(item.completion);
		}
		if (typeof entry.h === 'string' && entry.h.length > 0) byClientHandle.set(entry.h, item.node);
		planned.push(item);
	}
	const oldVersions = new Map<number, NodeRecord>();
	(cmd.n as Array<Record<string, unknown>>).forEach((entry, index) => {
		if (entry.ov === undefined) return;
		const old = typeof entry.ov === 'string' ? store.nodes.get(entry.ov) : undefined;
		if (!old || old.t !== FILE || old.u !== account.userHandle || planned[index].node.t !== FILE) throw new ApiError(ENOENT);
		oldVersions.set(index, old);
	});
	checkStorage(account, planned.reduce((sum, item) => sum + (item.node.t === FILE ? (item.node.s ?? 0) : 0), 0));

	for (const item of planned) {
		if (item.completion) ctx.state.transfers.takeCompletion(item.completion, account.userHandle);
		if (item.blob) {
			item.node.blobId = item.blob.id;
			ctx.state.blobs.retain(item.blob.id);
		}
		store.insertNode(item.node);
	}
	applyCryptoRequest(ctx, account, cmd.cr, (index) => planned[index]?.node);

	const packets = [];
	const versionsMoved: NodeRecord[] = [];
	// `vb` (MEGA's SDK sends it with `ov`): 1 keeps the old file as a version, 0 replaces it; without `vb` the
	// account's versioning setting decides (on by default; off = the old file is replaced, not versioned).
	const keepVersions = cmd.vb === 1 || cmd.vb === '1' ? true : cmd.vb === 0 || cmd.vb === '0' ? false : account.fileVersioning;
	for (const [index, old] of oldVersions) {
		if (!keepVersions) {
			packets.push(packet('d', cmd, { n: old.h, ou: account.userHandle }));
			store.removeSubtree(old.h);
			continue;
		}
		// The old file becomes a child of the new one: that is what a version is in MEGA's tree.
		packets.push(packet('d', cmd, { n: old.h, m: 1, ou: account.userHandle }));
		store.moveNode(old.h, planned[index].node.h);
		versionsMoved.push(...store.subtree(old.h));
	}
	const created = planned.map((item) => store.nodeJson(item.node));
	// v3: each new node in the packet names the `n[]` entry it came from (`i`, MEGA's SDK `MegaClient::readnodes`:
	// "related source NewNode index"); the SDK learns the handles of what it created from that, not from the reply.
	// New nodes under a new file (copied versions) go to `f2` with the other versions.
	const inPacket = created.map((json, index) => (ctx.dialect === 'v3' ? { ...json, i: index } : json));
	const isVersion = (item: Planned): boolean => store.nodes.get(item.node.p)?.t === FILE;
	const t: Record<string, unknown> = { f: inPacket.filter((_, index) => !isVersion(planned[index])) };
	const versionNodes = [...inPacket.filter((_, index) => isVersion(planned[index])), ...versionsMoved.map((node) => store.nodeJson(node))];
	if (versionNodes.length > 0) t.f2 = versionNodes;
	packets.push(packet('t', cmd, { t, ou: account.userHandle }));
	emit(ctx, account.userHandle, packets);
	return { f: created };
};
