/**
 * One live node tree per account: built from one `f` fetch, kept current by applying the `sc` action packets.
 *
 * Speed: node keys wrapped with the same key (the master key, or a share key) are unwrapped in ONE batched
 * AES-ECB call at load. Attributes (names) need their own AES-CBC key per node; they are decrypted lazily, on first
 * use, and cached: resolving a path only decrypts the folders it walks through. Whole-tree work (search, recursive
 * listings) decrypts every name with the pure-JS AES fast path (`tryDecryptAttributes`): a node:crypto cipher per
 * node costs ~13 µs on Node 24, the pure-JS key schedule and 2–6 blocks ~3 µs on Node 20 and 24 alike.
 */
import {
	AesEcb,
	base64urlDecode,
	fingerprintMtime,
	rsaDecrypt,
	tryDecryptAttributes,
	unwrapOwnerShareKey,
	type MegaRsaPrivateKey,
} from './crypto';
import { readMpi } from './crypto';
import type { MegaChangeBatch, MegaChangeEvent, MegaChangePrevious } from './changes';
import { MegaAbortError, MegaAmbiguousPathError, MegaNotFoundError } from './errors';
import { formatFileLink, formatFolderLink } from './links';
import { decryptNamesInWorkers, nameWorkerCount } from './name-workers';

export type MegaNodeType = 'file' | 'folder' | 'root' | 'inbox' | 'rubbish';

export interface MegaNode {
	handle: string;
	parentHandle: string | null;
	path: string;
	name: string;
	type: MegaNodeType;
	size: number;
	createdAt: Date;
	modifiedAt: Date;
	link: string | null;
	inRubbishBin: boolean;
	versionCount: number;
	restoreHandle?: string;
	label?: number;
	favourite?: boolean;
	decrypted: boolean;
}

/** A node as MEGA sends it in `f` and in `t` packets. */
export interface RawNode {
	h: string;
	p?: string;
	u?: string;
	t: number;
	a?: string;
	k?: string;
	s?: number;
	ts?: number;
	fa?: string;
	[extra: string]: unknown;
}

export interface FetchReply {
	f?: RawNode[];
	f2?: RawNode[];
	ok?: Array<{ h: string; ha?: string; k: string }>;
	s?: Array<{ h: string; u: string; r?: number }>;
	ph?: Array<{ h: string; ph: string }>;
	sn?: string;
}

/** Below this many undecrypted names, one thread is faster than starting workers. */
const PARALLEL_NAMES_THRESHOLD = 20_000;

/** The hot path of name decryption: base64url `a` under a node key → attributes, or null (wrong key, corrupt). */
export function decryptNodeAttributes(encoded: string, nodeKey: Buffer): Record<string, unknown> | null {
	return tryDecryptAttributes(encoded, nodeKey);
}

/** Node states a described stretch of feed knows the attributes of but not the place (see applyPackets). */
const placeUnknown = new WeakSet<TreeEntry>();

const TYPE_NAMES: Record<number, MegaNodeType> = { 0: 'file', 1: 'folder', 2: 'root', 3: 'inbox', 4: 'rubbish' };
const RUBBISH_PREFIX = '//bin';
const INBOX_PREFIX = '//inbox';

export class TreeEntry {
	key: Buffer | null | undefined;
	attrs: Record<string, unknown> | null | undefined;

	constructor(
		public h: string,
		public p: string | null,
		public t: number,
		public s: number,
		public ts: number,
		public a: string,
		public k: string,
		public fa: string | undefined,
	) {}

	static from(raw: RawNode): TreeEntry {
		return new TreeEntry(raw.h, raw.p ? raw.p : null, raw.t, raw.s ?? 0, raw.ts ?? 0, raw.a ?? '', raw.k ?? '', raw.fa);
	}
}

export interface MegaTreeOptions {
	masterKey?: Buffer;
	userHandle?: string;
	privateKey?: MegaRsaPrivateKey;
	/** For a public folder link: the link's share key (the root is the first node of the fetch). */
	folderLinkKey?: Buffer;
	folderLinkHandle?: string;
}

export class MegaTree {
	readonly nodes = new Map<string, TreeEntry>();
	private readonly children = new Map<string, Set<string>>();
	/** Folder handle → share key, for own exported folders (and the root of a folder link). */
	readonly shareKeys = new Map<string, Buffer>();
	/**
	 * Own shared folders whose `ok` entry does not verify (`ha` ≠ ECB(master, h‖h)): MEGA's apps write a dummy zero
	 * `ok`/`ha` and keep the real key in `^!keys`. Their key is unknown here: no link, no `cr`, no new key over it.
	 */
	readonly sharesWithUnknownKey = new Set<string>();
	readonly exportedFolders = new Set<string>();
	/** Node handle → public handle, for exported nodes. */
	readonly publicHandles = new Map<string, string>();
	rootHandle = '';
	inboxHandle = '';
	rubbishHandle = '';
	sn = '';
	private readonly masterCipher: AesEcb | undefined;

	constructor(readonly options: MegaTreeOptions) {
		this.masterCipher = options.masterKey ? new AesEcb(options.masterKey) : undefined;
	}

	get isFolderLink(): boolean {
		return this.options.folderLinkKey !== undefined;
	}

	/** Replaces the whole tree with an `f` reply. */
	load(reply: FetchReply): void {
		this.nodes.clear();
		this.children.clear();
		this.shareKeys.clear();
		this.sharesWithUnknownKey.clear();
		this.exportedFolders.clear();
		this.publicHandles.clear();
		this.rootHandle = '';
		this.inboxHandle = '';
		this.rubbishHandle = '';
		const all = [...(reply.f ?? []), ...(reply.f2 ?? [])];
		if (this.isFolderLink && all.length > 0) {
			this.rootHandle = all[0].h;
			this.shareKeys.set(this.rootHandle, this.options.folderLinkKey as Buffer);
		}
		for (const share of reply.ok ?? []) this.learnShareKey(share.h, share.k, share.ha);
		for (const share of reply.s ?? []) {
			if (share.u === 'EXP') this.exportedFolders.add(share.h);
		}
		for (const link of reply.ph ?? []) this.publicHandles.set(link.h, link.ph);
		const entries: TreeEntry[] = [];
		for (const raw of all) {
			const entry = TreeEntry.from(raw);
			if (this.isFolderLink && entry.h === this.rootHandle) entry.p = null;
			this.insert(entry);
			entries.push(entry);
		}
		this.unwrapKeysInBatch(entries);
		this.sn = reply.sn ?? '';
	}

	/** An owner `ok`/`ha` pair (from `f` or an `s`/`s2` packet): kept only when `ha` proves it (see sharesWithUnknownKey). */
	private learnShareKey(handle: string, ok: unknown, ha: unknown): void {
		if (!this.masterCipher || this.shareKeys.has(handle)) return;
		const key = unwrapOwnerShareKey(this.masterCipher, handle, ok, ha);
		if (key) {
			this.shareKeys.set(handle, key);
			this.sharesWithUnknownKey.delete(handle);
		} else {
			this.sharesWithUnknownKey.add(handle);
		}
	}

	private insert(entry: TreeEntry): void {
		this.nodes.set(entry.h, entry);
		if (entry.t === 2) this.rootHandle = entry.h;
		else if (entry.t === 3) this.inboxHandle = entry.h;
		else if (entry.t === 4) this.rubbishHandle = entry.h;
		if (entry.p) {
			let set = this.children.get(entry.p);
			if (!set) {
				set = new Set();
				this.children.set(entry.p, set);
			}
			set.add(entry.h);
		}
	}

	private detach(entry: TreeEntry): void {
		if (entry.p) this.children.get(entry.p)?.delete(entry.h);
	}

	/** Picks the key entry we can unwrap: our own user handle, else a share we hold a key for. */
	private keyEntry(entry: TreeEntry): { id: string; data: string } | undefined {
		if (!entry.k) return undefined;
		const own = this.options.userHandle;
		// Fast path: the usual single `<own user handle>:<key>` entry.
		if (own && this.masterCipher && entry.k.length > own.length && entry.k.charCodeAt(own.length) === 58 && entry.k.startsWith(own) && !entry.k.includes('/')) {
			return { id: '', data: entry.k.slice(own.length + 1) };
		}
		let shareCandidate: { id: string; data: string } | undefined;
		for (const part of entry.k.split('/')) {
			const colon = part.indexOf(':');
			const id = colon < 0 ? '' : part.slice(0, colon);
			const data = colon < 0 ? part : part.slice(colon + 1);
			if (id === '' || id === this.options.userHandle) {
				if (this.masterCipher) return { id: '', data };
			} else if (this.shareKeys.has(id) && !shareCandidate) {
				shareCandidate = { id, data };
			}
		}
		return shareCandidate;
	}

	/** One ECB call per wrapping key for every AES-wrapped node key (the fast path for big trees). */
	private unwrapKeysInBatch(entries: TreeEntry[]): void {
		const groups = new Map<string, { entries: TreeEntry[]; texts: string[]; bytes: number }>();
		for (const entry of entries) {
			if (entry.t > 1) {
				entry.key = null;
				continue;
			}
			const picked = this.keyEntry(entry);
			if (!picked) continue;
			// 22 chars = 16 bytes (folder), 43 chars = 32 bytes (file); longer ones are RSA-wrapped (keyOf, lazily).
			const length = picked.data.length === 22 ? 16 : picked.data.length === 43 ? 32 : 0;
			if (length === 0) continue;
			let group = groups.get(picked.id);
			if (!group) {
				group = { entries: [], texts: [], bytes: 0 };
				groups.set(picked.id, group);
			}
			group.entries.push(entry);
			group.texts.push(picked.data);
			group.bytes += length;
		}
		for (const [id, group] of groups) {
			const cipher = id === '' ? this.masterCipher : new AesEcb(this.shareKeys.get(id) as Buffer);
			if (!cipher) continue;
			const wrapped = Buffer.allocUnsafe(group.bytes);
			let offset = 0;
			for (const text of group.texts) offset += wrapped.write(text, offset, 'base64url');
			if (offset !== group.bytes) {
				// Some key was not valid base64: fall back to the lazy, per-node path for this group.
				for (const entry of group.entries) entry.key = undefined;
				continue;
			}
			const plain = cipher.decrypt(wrapped);
			offset = 0;
			group.entries.forEach((entry, index) => {
				const length = group.texts[index].length === 22 ? 16 : 32;
				entry.key = plain.subarray(offset, offset + length);
				offset += length;
			});
		}
	}

	/** The decrypted node key (16 bytes folder, 32 bytes file), or null when we hold no key for it. */
	keyOf(entry: TreeEntry): Buffer | null {
		if (entry.key !== undefined) return entry.key;
		entry.key = null;
		if (entry.t > 1) return null;
		const picked = this.keyEntry(entry);
		if (!picked) return null;
		try {
			const data = base64urlDecode(picked.data);
			if (data.length === 16 || data.length === 32) {
				const cipher = picked.id === '' ? this.masterCipher : new AesEcb(this.shareKeys.get(picked.id) as Buffer);
				entry.key = cipher ? cipher.decrypt(data) : null;
			} else if (this.options.privateKey && picked.id === '') {
				// RSA-wrapped key (shares from other users): an MPI, the key is the first 16/32 bytes of the plaintext.
				const { value } = readMpi(data, 0);
				const block = rsaDecrypt(this.options.privateKey, value);
				const start = block.findIndex((byte) => byte !== 0);
				entry.key = Buffer.from(block.subarray(start, start + (entry.t === 0 ? 32 : 16)));
			}
		} catch {
			entry.key = null;
		}
		return entry.key;
	}

	attributesOf(entry: TreeEntry): Record<string, unknown> | null {
		if (entry.attrs !== undefined) return entry.attrs;
		entry.attrs = null;
		const key = this.keyOf(entry);
		if (key && entry.a) entry.attrs = decryptNodeAttributes(entry.a, key);
		return entry.attrs;
	}

	/**
	 * Decrypts the names of many nodes in slices, yielding to the event loop between slices, so a whole-tree search
	 * or a recursive listing of a big account never blocks other work (each node costs one OpenSSL call).
	 */
	async prepareNames(entries: Iterable<TreeEntry>, signal?: AbortSignal, sliceSize = 2_000): Promise<void> {
		const list = Array.isArray(entries) ? (entries as TreeEntry[]) : [...entries];
		if (list.length >= PARALLEL_NAMES_THRESHOLD && nameWorkerCount() >= 2) {
			try {
				await this.prepareNamesInWorkers(list);
			} catch {
				// Workers unavailable: the sliced single-thread path below does the rest.
			}
		}
		let done = 0;
		for (const entry of list) {
			if (entry.attrs === undefined) this.attributesOf(entry);
			if (++done % sliceSize === 0) {
				await new Promise<void>((resolve) => setImmediate(resolve));
				if (signal?.aborted) throw new MegaAbortError('The MEGA operation was aborted', signal.reason);
			}
		}
	}

	private async prepareNamesInWorkers(entries: TreeEntry[]): Promise<void> {
		const todo: TreeEntry[] = [];
		const keys: Buffer[] = [];
		const texts: string[] = [];
		for (const entry of entries) {
			if (entry.attrs !== undefined || !entry.a) continue;
			const key = this.keyOf(entry);
			if (!key) continue;
			let aesKey = key;
			if (key.length === 32) {
				aesKey = Buffer.allocUnsafe(16);
				for (let i = 0; i < 16; i++) aesKey[i] = key[i] ^ key[i + 16];
			} else if (key.length !== 16) {
				continue;
			}
			todo.push(entry);
			keys.push(aesKey);
			texts.push(entry.a);
		}
		if (todo.length < PARALLEL_NAMES_THRESHOLD) return;
		const results = await decryptNamesInWorkers(keys, texts);
		todo.forEach((entry, index) => {
			// A concurrent packet may have changed the attributes meanwhile: keep only results for the text we sent.
			if (entry.attrs === undefined && entry.a === texts[index]) entry.attrs = results[index] ?? null;
		});
	}

	nameOf(entry: TreeEntry): string {
		if (entry.t === 2) return this.isFolderLink ? '' : 'Cloud Drive';
		if (entry.t === 3) return 'Inbox';
		if (entry.t === 4) return 'Rubbish Bin';
		const name = this.attributesOf(entry)?.n;
		return typeof name === 'string' ? name : '';
	}

	get(handle: string): TreeEntry | undefined {
		return this.nodes.get(handle);
	}

	childrenOf(handle: string): TreeEntry[] {
		const set = this.children.get(handle);
		if (!set) return [];
		const list: TreeEntry[] = [];
		for (const child of set) {
			const entry = this.nodes.get(child);
			if (entry) list.push(entry);
		}
		return list;
	}

	/** Files and folders directly in a folder (old file versions are children of files, not listed here). */
	listChildren(handle: string): TreeEntry[] {
		const parent = this.nodes.get(handle);
		if (parent && parent.t === 0) return [];
		return this.childrenOf(handle).filter((entry) => entry.t === 0 || entry.t === 1);
	}

	/** Older versions of a file, newest first (MEGA keeps them as a chain of file children). */
	olderVersions(entry: TreeEntry): TreeEntry[] {
		const result: TreeEntry[] = [];
		let current: TreeEntry | undefined = entry;
		while (current) {
			const older: TreeEntry[] = this.childrenOf(current.h).filter((child) => child.t === 0);
			if (older.length === 0) break;
			older.sort((x, y) => y.ts - x.ts);
			result.push(...older);
			current = older[0];
		}
		return result;
	}

	isVersion(entry: TreeEntry): boolean {
		if (entry.t !== 0 || !entry.p) return false;
		return this.nodes.get(entry.p)?.t === 0;
	}

	isInSubtree(handle: string, ancestor: string): boolean {
		let current = this.nodes.get(handle);
		let guard = 0;
		while (current && guard++ < 10_000) {
			if (current.h === ancestor) return true;
			current = current.p ? this.nodes.get(current.p) : undefined;
		}
		return false;
	}

	inRubbishBin(entry: TreeEntry): boolean {
		return this.rubbishHandle !== '' && entry.h !== this.rubbishHandle && this.isInSubtree(entry.h, this.rubbishHandle);
	}

	pathOf(entry: TreeEntry): string {
		const names: string[] = [];
		let current: TreeEntry | undefined = entry;
		let guard = 0;
		while (current && guard++ < 10_000) {
			if (current.t === 2 || (this.isFolderLink && current.h === this.rootHandle)) return `/${names.reverse().join('/')}`;
			if (current.t === 4) return [RUBBISH_PREFIX, ...names.reverse()].join('/');
			if (current.t === 3) return [INBOX_PREFIX, ...names.reverse()].join('/');
			names.push(this.nameOf(current));
			current = current.p ? this.nodes.get(current.p) : undefined;
		}
		// Detached (e.g. the parent is not in this tree): show what we know.
		return `/${names.reverse().join('/')}`;
	}

	linkOf(entry: TreeEntry): string | null {
		const ph = this.publicHandles.get(entry.h);
		if (!ph) return null;
		if (entry.t === 0) {
			const key = this.keyOf(entry);
			return key && key.length === 32 ? formatFileLink(ph, key) : null;
		}
		const shareKey = this.shareKeys.get(entry.h);
		return shareKey ? formatFolderLink(ph, shareKey) : null;
	}

	toNode(entry: TreeEntry): MegaNode {
		const attrs = this.attributesOf(entry);
		const created = new Date(entry.ts * 1000);
		let modified = created;
		if (attrs && typeof attrs.c === 'string') {
			try {
				modified = new Date(fingerprintMtime(attrs.c) * 1000);
			} catch {
				// a malformed fingerprint: keep the creation time
			}
		} else if (attrs && typeof attrs.t === 'number') {
			modified = new Date(attrs.t * 1000);
		}
		const node: MegaNode = {
			handle: entry.h,
			parentHandle: entry.p,
			path: this.pathOf(entry),
			name: this.nameOf(entry),
			type: TYPE_NAMES[entry.t] ?? 'file',
			size: entry.t === 0 ? entry.s : 0,
			createdAt: created,
			modifiedAt: modified,
			link: this.linkOf(entry),
			inRubbishBin: this.inRubbishBin(entry),
			versionCount: entry.t === 0 ? this.olderVersions(entry).length : 0,
			decrypted: entry.t > 1 || attrs !== null,
		};
		if (attrs) {
			if (typeof attrs.rr === 'string' && attrs.rr !== '') node.restoreHandle = attrs.rr;
			if (typeof attrs.lbl === 'number') node.label = attrs.lbl;
			if (attrs.fav !== undefined) node.favourite = attrs.fav === 1 || attrs.fav === true;
		}
		return node;
	}

	/**
	 * Resolves `/a/b/c` from the Cloud Drive root (or `//bin/...` in the rubbish bin, `//inbox/...`).
	 * A missing part is a MegaNotFoundError; duplicate names are a MegaAmbiguousPathError listing the handles.
	 */
	resolvePath(path: string): TreeEntry {
		let start = this.rootHandle;
		let rest = path;
		if (path.startsWith(`${RUBBISH_PREFIX}/`) || path === RUBBISH_PREFIX) {
			start = this.rubbishHandle;
			rest = path.slice(RUBBISH_PREFIX.length);
		} else if (path.startsWith(`${INBOX_PREFIX}/`) || path === INBOX_PREFIX) {
			start = this.inboxHandle;
			rest = path.slice(INBOX_PREFIX.length);
		}
		const startEntry = this.nodes.get(start);
		if (!startEntry) throw new MegaNotFoundError('The MEGA tree has no root folder');
		let current: TreeEntry = startEntry;
		const parts = rest.split('/').filter((part) => part !== '');
		let walked = path.startsWith('//') ? path.slice(0, path.length - rest.length) : '';
		for (const part of parts) {
			const matches: TreeEntry[] = this.listChildren(current.h).filter((child) => this.nameOf(child) === part);
			walked += `/${part}`;
			if (matches.length === 0) {
				throw new MegaNotFoundError(`"${walked}" does not exist in MEGA`, 'Check the path (names are case-sensitive) or use the item\'s handle.');
			}
			if (matches.length > 1) throw new MegaAmbiguousPathError(walked, matches.map((m) => m.h));
			current = matches[0];
		}
		return current;
	}

	/** Every node in the subtree (excluding `handle` itself), depth first; old versions excluded. */
	descendants(handle: string): TreeEntry[] {
		const result: TreeEntry[] = [];
		const stack = [handle];
		while (stack.length > 0) {
			const next = stack.pop() as string;
			for (const child of this.listChildren(next)) {
				result.push(child);
				if (child.t === 1) stack.push(child.h);
			}
		}
		return result;
	}

	private previousOf(entry: TreeEntry): MegaChangePrevious {
		return {
			name: this.nameOf(entry),
			path: this.pathOf(entry),
			parentHandle: entry.p,
			type: TYPE_NAMES[entry.t] ?? 'file',
			size: entry.t === 0 ? entry.s : 0,
			ancestors: this.ancestorsOf(entry),
		};
	}

	/** Handles of the folders above a node, nearest first. */
	ancestorsOf(entry: TreeEntry): string[] {
		const result: string[] = [];
		let current = entry.p ? this.nodes.get(entry.p) : undefined;
		while (current && result.length < 10_000) {
			result.push(current.h);
			current = current.p ? this.nodes.get(current.p) : undefined;
		}
		return result;
	}

	/**
	 * A copy of the tree as it is now that later `load`s do not change (they replace entries, never mutate them), so a
	 * reload can be compared with what was there before.
	 */
	snapshot(): MegaTree {
		const copy = new MegaTree(this.options);
		for (const [handle, entry] of this.nodes) copy.nodes.set(handle, entry);
		for (const [handle, set] of this.children) copy.children.set(handle, new Set(set));
		for (const [handle, key] of this.shareKeys) copy.shareKeys.set(handle, key);
		for (const handle of this.exportedFolders) copy.exportedFolders.add(handle);
		for (const [handle, ph] of this.publicHandles) copy.publicHandles.set(handle, ph);
		copy.rootHandle = this.rootHandle;
		copy.inboxHandle = this.inboxHandle;
		copy.rubbishHandle = this.rubbishHandle;
		copy.sn = this.sn;
		return copy;
	}

	private removeSubtree(entry: TreeEntry): void {
		const stack = [entry.h];
		this.detach(entry);
		while (stack.length > 0) {
			const handle = stack.pop() as string;
			for (const child of this.childrenOf(handle)) stack.push(child.h);
			this.children.delete(handle);
			this.nodes.delete(handle);
		}
	}

	/**
	 * Applies one batch of action packets and describes it as events. With `mutate = false` the packets are only
	 * described (used to list changes from an older position after a restart, against a tree fetched later): `window`
	 * holds each node as the stretch of feed described so far left it (null: deleted), kept across calls, and a change
	 * to a node the stretch has not shown yet has an unknown previous state (`previousUnknown`).
	 */
	applyPackets(
		packets: Array<Record<string, unknown>>,
		sn: string,
		isOwn: (i: unknown) => boolean,
		mutate = true,
		window: Map<string, TreeEntry | null> = new Map(),
	): MegaChangeEvent[] {
		const events: MegaChangeEvent[] = [];
		const pendingMoves = new Map<string, { previous: MegaChangePrevious; own: boolean; unknown: boolean }>();
		// Links reported removed in this batch (a `ph d:1` and the removal of the export may both say so).
		const unlinked = new Set<string>();
		const unknownPrevious: MegaChangePrevious = { name: '', path: '', parentHandle: null };
		const variant = (entry: TreeEntry, changes: Partial<TreeEntry>): TreeEntry =>
			Object.assign(Object.create(TreeEntry.prototype) as TreeEntry, entry, changes, { attrs: undefined });
		for (const packet of packets) {
			const own = isOwn(packet.i);
			switch (packet.a) {
				case 't': {
					const body = (packet.t ?? {}) as { f?: RawNode[]; f2?: RawNode[] };
					const fresh: TreeEntry[] = [];
					const seenHandles = new Set<string>();
					const versions = new Set((body.f2 ?? []).map((raw) => raw.h));
					const placed: Array<{ raw: RawNode; entry: TreeEntry; existed: boolean }> = [];
					// Pass 1: put every node of the packet in place (a moved subtree, new versions under their file).
					for (const raw of [...(body.f ?? []), ...(body.f2 ?? [])]) {
						if (!raw || typeof raw.h !== 'string' || seenHandles.has(raw.h)) continue;
						seenHandles.add(raw.h);
						const existing = this.nodes.get(raw.h);
						let entry: TreeEntry;
						if (existing && mutate) {
							this.detach(existing);
							existing.p = raw.p ? raw.p : null;
							existing.a = raw.a ?? existing.a;
							existing.attrs = undefined;
							if (raw.k && raw.k !== existing.k) {
								existing.k = raw.k;
								if (!existing.key) existing.key = undefined;
							}
							this.insert(existing);
							entry = existing;
						} else if (existing) {
							entry = variant(existing, { p: raw.p ? raw.p : null, a: raw.a ?? existing.a });
							window.set(raw.h, entry);
						} else {
							entry = TreeEntry.from(raw);
							if (mutate) {
								this.insert(entry);
								fresh.push(entry);
							} else {
								window.set(raw.h, entry);
							}
						}
						placed.push({ raw, entry, existed: existing !== undefined });
					}
					if (fresh.length > 0) this.unwrapKeysInBatch(fresh);
					const versionParents = new Set((body.f2 ?? []).map((raw) => raw.p).filter((h): h is string => typeof h === 'string'));
					// Pass 2: describe.
					const movedTops = new Set<string>();
					for (const { raw, entry, existed } of placed) {
						if (versions.has(raw.h)) {
							pendingMoves.delete(raw.h);
							continue;
						}
						const moved = pendingMoves.get(raw.h);
						const parentInPacket = raw.p !== undefined && seenHandles.has(raw.p);
						if (moved) {
							pendingMoves.delete(raw.h);
							movedTops.add(raw.h);
							events.push({
								type: 'moved',
								handle: raw.h,
								node: this.toNode(entry),
								previous: moved.previous,
								...(moved.unknown ? { previousUnknown: true } : {}),
								ancestors: this.ancestorsOf(entry),
								own: own || moved.own,
								sn,
							});
						} else if (!existed || !mutate) {
							// A node inside a moved subtree reappears too; only the top of the move is an event.
							if (parentInPacket && movedTops.has(raw.p as string)) {
								movedTops.add(raw.h);
								continue;
							}
							if (existed && !mutate && this.isVersion(entry)) continue;
							events.push({ type: versionParents.has(raw.h) ? 'updated' : 'added', handle: raw.h, node: this.toNode(entry), ancestors: this.ancestorsOf(entry), own, sn });
						}
					}
					break;
				}
				case 'u': {
					const handle = String(packet.n ?? '');
					const at = typeof packet.at === 'string' ? packet.at : undefined;
					if (!mutate) {
						const known = window.get(handle);
						const base = known ?? this.nodes.get(handle);
						if (!base || at === undefined) break;
						const after = variant(base, { a: at });
						// Today's tree says where the node is now, not where it was then.
						if (!known || placeUnknown.has(known)) placeUnknown.add(after);
						window.set(handle, after);
						if (!known) {
							// The stretch has not shown this node before: its old name is unknown (today's tree is newer).
							const previous = { ...this.previousOf(after), name: '', path: '' };
							events.push({ type: 'renamed', handle, node: this.toNode(after), previous, previousUnknown: true, ancestors: this.ancestorsOf(after), own, sn });
						} else if (this.nameOf(after) !== this.nameOf(known)) {
							events.push({ type: 'renamed', handle, node: this.toNode(after), previous: this.previousOf(known), ancestors: this.ancestorsOf(after), own, sn });
						} else if (JSON.stringify(this.attributesOf(after)) !== JSON.stringify(this.attributesOf(known))) {
							events.push({ type: 'attributes', handle, node: this.toNode(after), ancestors: this.ancestorsOf(after), own, sn });
						}
						break;
					}
					const entry = this.nodes.get(handle);
					if (!entry) break;
					const before = this.previousOf(entry);
					const beforeAttrs = JSON.stringify(this.attributesOf(entry));
					if (at !== undefined) {
						entry.a = at;
						entry.attrs = undefined;
					}
					const name = this.nameOf(entry);
					const changed = JSON.stringify(this.attributesOf(entry)) !== beforeAttrs;
					if (name !== before.name) {
						events.push({ type: 'renamed', handle, node: this.toNode(entry), previous: before, ancestors: this.ancestorsOf(entry), own, sn });
					} else if (changed) {
						events.push({ type: 'attributes', handle, node: this.toNode(entry), ancestors: this.ancestorsOf(entry), own, sn });
					}
					break;
				}
				case 'd': {
					const handle = String(packet.n ?? '');
					if (!mutate) {
						const seen = window.get(handle);
						const known = seen && placeUnknown.has(seen) ? undefined : seen;
						if (packet.m === 1 || packet.m === '1') {
							pendingMoves.set(handle, { previous: known ? this.previousOf(known) : unknownPrevious, own, unknown: !known });
							break;
						}
						window.set(handle, null);
						if (seen === null || (known && this.isVersion(known))) break;
						events.push({ type: 'deleted', handle, previous: known ? this.previousOf(known) : unknownPrevious, ...(known ? {} : { previousUnknown: true }), own, sn });
						break;
					}
					const entry = this.nodes.get(handle);
					if (packet.m === 1 || packet.m === '1') {
						if (entry) pendingMoves.set(handle, { previous: this.previousOf(entry), own, unknown: false });
						break;
					}
					const previous = entry ? this.previousOf(entry) : { name: '', path: '', parentHandle: null };
					const wasVersion = entry ? this.isVersion(entry) : false;
					if (entry && mutate) this.removeSubtree(entry);
					if (!wasVersion) events.push({ type: 'deleted', handle, previous, own, sn });
					break;
				}
				case 'ph': {
					const handle = String(packet.h ?? '');
					const deleted = packet.d === 1 || packet.d === '1';
					if (mutate) {
						if (deleted) this.publicHandles.delete(handle);
						else if (typeof packet.ph === 'string') this.publicHandles.set(handle, packet.ph);
					}
					if (deleted) unlinked.add(handle);
					else unlinked.delete(handle);
					const entry = this.nodes.get(handle);
					events.push({ type: deleted ? 'unlinked' : 'linked', handle, node: entry ? this.toNode(entry) : undefined, ancestors: entry ? this.ancestorsOf(entry) : undefined, own, sn });
					break;
				}
				case 's':
				case 's2': {
					const handle = String(packet.n ?? '');
					if (packet.u !== 'EXP') break;
					if (packet.r === undefined || packet.r === '') {
						// Removing the export also removes the folder's link; MEGA need not send a `ph d:1` for it.
						const hadLink = this.publicHandles.has(handle) && !unlinked.has(handle);
						if (mutate) {
							this.exportedFolders.delete(handle);
							this.publicHandles.delete(handle);
						}
						if (hadLink) {
							unlinked.add(handle);
							const entry = this.nodes.get(handle);
							events.push({ type: 'unlinked', handle, node: entry ? this.toNode(entry) : undefined, ancestors: entry ? this.ancestorsOf(entry) : undefined, own, sn });
						}
					} else if (mutate) {
						this.exportedFolders.add(handle);
						if (packet.ok !== undefined) this.learnShareKey(handle, packet.ok, packet.ha);
					}
					break;
				}
				case 'fa': {
					const entry = this.nodes.get(String(packet.n ?? ''));
					if (entry && mutate && typeof packet.fa === 'string') entry.fa = packet.fa;
					break;
				}
				default:
					break;
			}
		}
		// A `d m:1` whose node never came back in this batch is a removal.
		for (const [handle, pending] of pendingMoves) {
			const entry = this.nodes.get(handle);
			if (entry && mutate) this.removeSubtree(entry);
			if (!mutate) window.set(handle, null);
			events.push({ type: 'deleted', handle, previous: pending.previous, ...(pending.unknown ? { previousUnknown: true } : {}), own: pending.own, sn });
		}
		return events;
	}
}

interface TreeApi {
	request<T = unknown>(command: Record<string, unknown> & { a: string }, options?: { signal?: AbortSignal; query?: Record<string, string>; noSession?: boolean }): Promise<T>;
	pollChanges(sn: string, options?: { signal?: AbortSignal; query?: Record<string, string>; noSession?: boolean }): Promise<{ a?: Array<Record<string, unknown>>; sn: string; ir?: number }>;
	isOwnRequestTag(tag: unknown): boolean;
}

interface LogBatch {
	/** The position before this batch. */
	from: string;
	sn: string;
	events: MegaChangeEvent[];
}

const MAX_LOG_EVENTS = 20_000;
const MAX_SPOON_FEED_ROUNDS = 50;

/**
 * The shared, live tree of one account: fetched once, then brought up to date with ONE `sc?sn=` request before each
 * use (more only when MEGA says `ir`: more packets waiting). Concurrent users share one fetch and one poll.
 * A too-old position (-6) reloads the whole tree with `f`.
 */
export class LiveMegaTree {
	readonly tree: MegaTree;
	private loading: Promise<void> | undefined;
	private refreshing: Promise<void> | undefined;
	private loaded = false;
	private readonly log: LogBatch[] = [];
	private logEvents = 0;
	/** Positions from which the log is continuous (the last `f`). */
	private baseSn = '';
	/** Serialises operations that look before they write (mkdir -p), so concurrent callers do not create twins. */
	private exclusiveTail: Promise<unknown> = Promise.resolve();

	exclusive<T>(work: () => Promise<T>): Promise<T> {
		const run = this.exclusiveTail.then(work, work);
		this.exclusiveTail = run.catch(() => undefined);
		return run;
	}

	/** Counts full fetches (tests and benchmarks read it). */
	fetchCount = 0;
	/**
	 * Before the last reload of a loaded tree (MEGA's -6): the tree as it was, and the log that led to it, so a caller
	 * whose position was in that log gets the exact changes up to the reload and can compare trees from there.
	 */
	private beforeReload: { tree: MegaTree; log: LogBatch[]; baseSn: string } | undefined;

	private api: TreeApi;
	private readonly apis = new Set<TreeApi>();

	constructor(
		api: TreeApi,
		options: MegaTreeOptions,
		private readonly query: { query?: Record<string, string>; noSession?: boolean } = {},
	) {
		this.api = api;
		this.apis.add(api);
		this.tree = new MegaTree(options);
	}

	/** Another session of the same account shares this tree: use its transport from now on, and know its request tags. */
	attach(api: TreeApi): void {
		this.apis.add(api);
		this.api = api;
	}

	private isOwn(tag: unknown): boolean {
		for (const api of this.apis) if (api.isOwnRequestTag(tag)) return true;
		return false;
	}

	private async fetch(signal?: AbortSignal): Promise<void> {
		const command: Record<string, unknown> & { a: string } = this.tree.isFolderLink ? { a: 'f', c: 1, ca: 1, r: 1 } : { a: 'f', c: 1 };
		const reply = await this.api.request<FetchReply>(command, { signal, ...this.query });
		if (this.loaded) this.beforeReload = { tree: this.tree.snapshot(), log: [...this.log], baseSn: this.baseSn };
		this.tree.load(reply);
		this.fetchCount += 1;
		this.loaded = true;
		this.baseSn = this.tree.sn;
		this.log.length = 0;
		this.logEvents = 0;
	}

	/** Loads the tree once (shared by concurrent callers). */
	async ensureLoaded(signal?: AbortSignal): Promise<MegaTree> {
		if (!this.loaded) {
			if (!this.loading) {
				this.loading = this.fetch(signal).finally(() => {
					this.loading = undefined;
				});
			}
			await this.loading;
		}
		return this.tree;
	}

	/**
	 * Brings the tree up to date: one `sc?sn=` request (shared by concurrent callers). With `startAfterNow`, a poll that
	 * was already in flight does not count (it may have left before a change this caller just made).
	 */
	async refresh(signal?: AbortSignal, startAfterNow = false): Promise<MegaTree> {
		if (!this.loaded) return this.ensureLoaded(signal);
		if (this.refreshing && startAfterNow) await this.refreshing.catch(() => undefined);
		if (!this.refreshing) {
			this.refreshing = this.pollOnce(signal).finally(() => {
				this.refreshing = undefined;
			});
		}
		await this.refreshing;
		return this.tree;
	}

	/** The tree as it is, without a poll (after a fetch). */
	async current(signal?: AbortSignal): Promise<MegaTree> {
		return this.ensureLoaded(signal);
	}

	private async pollOnce(signal?: AbortSignal): Promise<void> {
		if (!this.tree.sn) {
			await this.fetch(signal);
			return;
		}
		for (let round = 0; round < MAX_SPOON_FEED_ROUNDS; round++) {
			let reply: { a?: Array<Record<string, unknown>>; sn: string; ir?: number };
			try {
				reply = await this.api.pollChanges(this.tree.sn, { signal, ...this.query });
			} catch (error) {
				if ((error as { errno?: number }).errno === -6) {
					await this.fetch(signal);
					return;
				}
				throw error;
			}
			const from = this.tree.sn;
			if (reply.a && reply.a.length > 0) {
				const events = this.tree.applyPackets(reply.a, reply.sn, (i) => this.isOwn(i));
				this.record({ from, sn: reply.sn, events });
			}
			this.tree.sn = reply.sn;
			if (!reply.ir) return;
		}
	}

	private record(batch: LogBatch): void {
		this.log.push(batch);
		this.logEvents += batch.events.length;
		while (this.logEvents > MAX_LOG_EVENTS && this.log.length > 1) {
			const dropped = this.log.shift() as LogBatch;
			this.logEvents -= dropped.events.length;
			this.baseSn = dropped.sn;
		}
	}

	/** What this process saw from `since` up to its last reload, when `since` is a position it had then. */
	private changesBeforeReload(since: string): { events: MegaChangeEvent[]; previousTree?: MegaTree } {
		const before = this.beforeReload;
		if (!before) return { events: [] };
		if (since === before.tree.sn) return { events: [], previousTree: before.tree };
		const index = before.log.findIndex((batch) => batch.from === since);
		if (index < 0 && since !== before.baseSn) return { events: [] };
		return { events: before.log.slice(Math.max(index, 0)).flatMap((batch) => batch.events), previousTree: before.tree };
	}

	/**
	 * Changes after `since` (a position from an earlier call or an `f`). Refreshes first. Unknown positions (e.g. after a
	 * restart) are read from MEGA's log directly and described against the current tree; positions MEGA no longer has
	 * are reported as `tooFarBehind`.
	 */
	async changesSince(since: string | undefined, signal?: AbortSignal): Promise<MegaChangeBatch> {
		const fetchesBefore = this.fetchCount;
		await this.refresh(signal);
		const sn = this.tree.sn;
		if (!since || since === sn) return { events: [], sn, tooFarBehind: false };
		const index = this.log.findIndex((batch) => batch.from === since);
		if (index >= 0 || (since === this.baseSn && this.fetchCount === fetchesBefore)) {
			const start = Math.max(index, 0);
			return { events: this.log.slice(start).flatMap((batch) => batch.events), sn, tooFarBehind: false };
		}
		// Not in our log: ask MEGA for the packets since then, without applying them again.
		const events: MegaChangeEvent[] = [];
		const window = new Map<string, TreeEntry | null>();
		let cursor = since;
		for (let round = 0; round < MAX_SPOON_FEED_ROUNDS; round++) {
			let reply: { a?: Array<Record<string, unknown>>; sn: string; ir?: number };
			try {
				reply = await this.api.pollChanges(cursor, { signal, ...this.query });
			} catch (error) {
				if ((error as { errno?: number }).errno === -6) return { ...this.changesBeforeReload(since), sn, tooFarBehind: true };
				throw error;
			}
			if (reply.a && reply.a.length > 0) {
				events.push(...this.tree.applyPackets(reply.a, reply.sn, (i) => this.isOwn(i), false, window));
			}
			cursor = reply.sn;
			if (!reply.ir || cursor === sn) break;
		}
		return { events, sn: cursor, tooFarBehind: false };
	}
}
