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
import { FetchReplyScanner, type FlatNode } from './api/fetch-scanner';
import type { StreamedReplyReader } from './api/transport';
import type { MegaChangeBatch, MegaChangeEvent, MegaChangePrevious } from './changes';
import { MegaAbortError, MegaAmbiguousPathError, MegaNotFoundError } from './errors';
import { formatFileLink, formatFolderLink } from './links';
import { decryptNamesInWorkers, nameWorkerCount } from './name-workers';
import { KEY_NONE, KEY_UNKNOWN, NodeStore, handleNumberOfBytes } from './node-store';

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

/**
 * One node of a tree: a view of its slot in the tree's columns (`NodeStore`), made when asked for (the tree keeps no
 * object per node). Reads and writes go to the columns, so every view of a node sees the same state. A view of a
 * removed node reads what it held (slots are never reused). `TreeEntry.from` makes a node outside any tree.
 */
export class TreeEntry {
	constructor(
		readonly store: NodeStore,
		readonly slot: number,
	) {}

	/** A node outside any tree (with a store of its own), e.g. a node as an older stretch of the feed showed it. */
	static from(raw: RawNode): TreeEntry {
		const store = new NodeStore(4);
		return new TreeEntry(store, store.put(raw, raw.k ?? ''));
	}

	get h(): string {
		return this.store.handleOf(this.slot);
	}

	get p(): string | null {
		return this.store.parentHandle(this.slot);
	}

	set p(handle: string | null) {
		this.store.setParent(this.slot, handle);
	}

	get t(): number {
		return this.store.type[this.slot];
	}

	get s(): number {
		return this.store.nodeSize[this.slot];
	}

	get ts(): number {
		return this.store.timestamp[this.slot];
	}

	/** The encrypted attributes, as MEGA sent them. */
	get a(): string {
		return this.store.attributeText(this.slot);
	}

	set a(value: string) {
		this.store.setAttributeText(this.slot, value);
	}

	/** The wrapped key text; '' once unwrapped at load. */
	get k(): string {
		return this.store.keyTexts.get(this.slot) ?? '';
	}

	set k(value: string) {
		if (value === '') this.store.keyTexts.delete(this.slot);
		else this.store.keyTexts.set(this.slot, value);
	}

	get fa(): string | undefined {
		return this.store.fileAttributes.get(this.slot);
	}

	set fa(value: string | undefined) {
		if (value === undefined) this.store.fileAttributes.delete(this.slot);
		else this.store.fileAttributes.set(this.slot, value);
	}

	/** The node key: undefined = not unwrapped yet, null = no key we can use. */
	get key(): Buffer | null | undefined {
		return this.store.key(this.slot);
	}

	set key(value: Buffer | null | undefined) {
		this.store.setKey(this.slot, value);
	}

	/** Decrypted attributes: undefined = not tried yet, null = could not be decrypted. */
	get attrs(): Record<string, unknown> | null | undefined {
		return this.store.decrypted.get(this.slot);
	}

	set attrs(value: Record<string, unknown> | null | undefined) {
		if (value === undefined) this.store.decrypted.delete(this.slot);
		else this.store.decrypted.set(this.slot, value);
	}
}

/** The nodes of a tree as a read-only map from handle to node (views made as they are read). */
class TreeNodeMap implements ReadonlyMap<string, TreeEntry> {
	constructor(private readonly store: NodeStore) {}

	get size(): number {
		return this.store.size;
	}

	get(handle: string): TreeEntry | undefined {
		const slot = this.store.find(handle);
		return slot < 0 ? undefined : new TreeEntry(this.store, slot);
	}

	has(handle: string): boolean {
		return this.store.find(handle) >= 0;
	}

	*values(): MapIterator<TreeEntry> {
		const store = this.store;
		for (let slot = 0; slot < store.count; slot++) if (store.exists(slot)) yield new TreeEntry(store, slot);
	}

	*keys(): MapIterator<string> {
		for (const entry of this.values()) yield entry.h;
	}

	*entries(): MapIterator<[string, TreeEntry]> {
		for (const entry of this.values()) yield [entry.h, entry];
	}

	[Symbol.iterator](): MapIterator<[string, TreeEntry]> {
		return this.entries();
	}

	forEach(callback: (value: TreeEntry, key: string, map: ReadonlyMap<string, TreeEntry>) => void, thisArg?: unknown): void {
		for (const entry of this.values()) callback.call(thisArg, entry, entry.h, this);
	}
}

/**
 * The nodes of an `f` reply gathered as they stream in (`MegaTree.stage`, then `MegaTree.loadStaged`), straight into
 * the columns of a new store. Own node keys (`<user handle>:<key>`, the usual case) are decoded into the store's key
 * pool right away, so their key text is never kept, and unwrapped there in place at the end (one ECB pass per chunk).
 */
export class StagedNodes {
	readonly store = new NodeStore();
	/** How many own keys wait, still wrapped, in the store's key pool. */
	wrappedKeys = 0;
	/** The slot of the reply's first node (a folder link's root). */
	first = -1;
	/** The parent handle (48-bit number) of the last node staged from bytes, and its slot. */
	lastParent = -1;
	lastParentSlot = -1;

	constructor() {
		this.store.loading = true;
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
	/** The nodes, in columns. Replaced (never cleared) by a load, so a snapshot keeps the tree it was taken of. */
	private store = new NodeStore();
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

	/** Handle → node (read-only; views made as they are read). */
	get nodes(): ReadonlyMap<string, TreeEntry> {
		return new TreeNodeMap(this.store);
	}

	/** Replaces the whole tree with an `f` reply. */
	load(reply: FetchReply): void {
		const staged = new StagedNodes();
		for (const raw of reply.f ?? []) this.stage(staged, raw);
		for (const raw of reply.f2 ?? []) this.stage(staged, raw);
		this.loadStaged(staged, reply);
	}

	/** Adds one node of a streaming `f` reply to `staged` (see StagedNodes). */
	stage(staged: StagedNodes, raw: RawNode): void {
		const k = raw.k ?? '';
		const length = this.ownKeyLength(raw.t, k);
		const slot = staged.store.put(raw, '');
		if (staged.first < 0) staged.first = slot;
		// Not canonical base64url: left to the batch and lazy paths (which treat it as they always did).
		if (length > 0 && staged.store.stageWrappedKey(slot, k, (this.options.userHandle as string).length + 1, k.length, length)) staged.wrappedKeys++;
		else if (k !== '') staged.store.keyTexts.set(slot, k);
	}

	/**
	 * stage() straight from the bytes of a flat node of the reply (see FetchReplyScanner): no string is made for its
	 * handle, parent, attributes or own key. Returns false (nothing staged) when the node needs the object form: a
	 * handle that is not 8 base64url characters, or a non-ASCII text.
	 */
	stageFlat(staged: StagedNodes, buffer: Buffer, node: Readonly<FlatNode>): boolean {
		if (node.nonAscii) return false;
		const handle = handleNumberOfBytes(buffer, node.hStart, node.hEnd);
		if (handle < 0) return false;
		const parent = node.pStart >= 0 && node.pEnd > node.pStart ? handleNumberOfBytes(buffer, node.pStart, node.pEnd) : -2;
		if (parent === -1) return false;
		const keyLength = node.kStart >= 0 ? this.ownKeyLengthOfBytes(node.t, buffer, node.kStart, node.kEnd) : 0;
		const store = staged.store;
		const slot = store.slotForNumber(handle);
		store.putNumbers(slot, node.t, Number.isNaN(node.s) ? 0 : node.s, Number.isNaN(node.ts) ? 0 : node.ts);
		if (node.aStart >= 0) store.setAttributeBytes(slot, buffer, node.aStart, node.aEnd);
		else store.setAttributeText(slot, '');
		// After `<own user handle>:`. Not canonical base64url: left to the text paths (which treat it as they always did).
		const keyFrom = node.kStart + (this.options.userHandle ?? '').length + 1;
		if (keyLength > 0 && store.stageWrappedKey(slot, buffer, keyFrom, node.kEnd, keyLength)) staged.wrappedKeys++;
		else if (node.kStart >= 0 && node.kEnd > node.kStart) store.keyTexts.set(slot, buffer.toString('latin1', node.kStart, node.kEnd));
		if (node.faStart >= 0) store.fileAttributes.set(slot, buffer.toString('latin1', node.faStart, node.faEnd));
		if (parent < 0) store.setParent(slot, null);
		else if (parent === staged.lastParent) store.setParentSlot(slot, staged.lastParentSlot);
		else {
			// Siblings come in runs: the parent of the last node is looked up once per run.
			staged.lastParent = parent;
			staged.lastParentSlot = store.slotForNumber(parent);
			store.setParentSlot(slot, staged.lastParentSlot);
		}
		if (staged.first < 0) staged.first = slot;
		return true;
	}

	/** The own user handle as bytes (for stageFlat). */
	private ownHandleBytes: Buffer | undefined;

	/** ownKeyLength for a key text held as ASCII bytes. */
	private ownKeyLengthOfBytes(type: number, buffer: Buffer, start: number, end: number): number {
		const own = this.options.userHandle;
		if (type > 1 || !own || !this.masterCipher) return 0;
		const length = end - start === own.length + 23 ? 16 : end - start === own.length + 44 ? 32 : 0;
		if (length === 0 || buffer[start + own.length] !== 58) return 0;
		const ownBytes = (this.ownHandleBytes ??= Buffer.from(own, 'latin1'));
		for (let i = 0; i < ownBytes.length; i++) if (buffer[start + i] !== ownBytes[i]) return 0;
		return length;
	}

	/** 16 or 32 when `k` is the usual single `<own user handle>:<AES-wrapped key>` of a file or folder, else 0. */
	private ownKeyLength(type: number, k: string): number {
		const own = this.options.userHandle;
		if (type > 1 || !own || !this.masterCipher || k.charCodeAt(own.length) !== 58) return 0;
		const length = k.length === own.length + 23 ? 16 : k.length === own.length + 44 ? 32 : 0;
		if (length === 0 || !k.startsWith(own) || k.includes('/')) return 0;
		return length;
	}

	/** Replaces the whole tree with staged nodes and the rest of their `f` reply. */
	loadStaged(staged: StagedNodes, reply: FetchReply): void {
		const store = staged.store;
		this.store = store;
		this.shareKeys.clear();
		this.sharesWithUnknownKey.clear();
		this.exportedFolders.clear();
		this.publicHandles.clear();
		this.rootHandle = '';
		this.inboxHandle = '';
		this.rubbishHandle = '';
		for (let slot = 0; slot < store.count; slot++) {
			if (store.type[slot] > 1 && store.exists(slot)) {
				this.noteRoot(slot);
				store.keyLength[slot] = KEY_NONE;
			}
		}
		if (this.isFolderLink && staged.first >= 0) {
			store.setParent(staged.first, null);
			this.rootHandle = store.handleOf(staged.first);
			this.shareKeys.set(this.rootHandle, this.options.folderLinkKey as Buffer);
		}
		for (const share of reply.ok ?? []) this.learnShareKey(share.h, share.k, share.ha);
		for (const share of reply.s ?? []) {
			if (share.u === 'EXP') this.exportedFolders.add(share.h);
		}
		for (const link of reply.ph ?? []) this.publicHandles.set(link.h, link.ph);
		// First, while the key pool holds only them: the own keys staged wrapped.
		const cipher = this.masterCipher;
		if (staged.wrappedKeys > 0 && cipher) store.decryptStagedKeys((wrapped) => cipher.decrypt(wrapped));
		// Key texts left: shared-in nodes, a folder link's nodes, keys that were not canonical base64url.
		this.unwrapKeysInBatch([...store.keyTexts.keys()].filter((slot) => store.exists(slot) && store.type[slot] <= 1));
		this.sn = reply.sn ?? '';
		store.fit();
	}

	private noteRoot(slot: number): void {
		const type = this.store.type[slot];
		if (type === 2) this.rootHandle = this.store.handleOf(slot);
		else if (type === 3) this.inboxHandle = this.store.handleOf(slot);
		else if (type === 4) this.rubbishHandle = this.store.handleOf(slot);
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

	/** Picks the key entry we can unwrap: our own user handle, else a share we hold a key for. */
	private keyEntry(k: string): { id: string; data: string } | undefined {
		if (!k) return undefined;
		const own = this.options.userHandle;
		// Fast path: the usual single `<own user handle>:<key>` entry.
		if (own && this.masterCipher && k.length > own.length && k.charCodeAt(own.length) === 58 && k.startsWith(own) && !k.includes('/')) {
			return { id: '', data: k.slice(own.length + 1) };
		}
		let shareCandidate: { id: string; data: string } | undefined;
		for (const part of k.split('/')) {
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

	/** One ECB call per wrapping key for the AES-wrapped node keys of these slots (the fast path for big trees). */
	private unwrapKeysInBatch(slots: number[]): void {
		const store = this.store;
		// Wrapped keys are decoded straight into one growing buffer per wrapping key (no list of key texts held).
		const groups = new Map<string, { slots: number[]; lengths: number[]; wrapped: Buffer; bytes: number; valid: boolean }>();
		for (let index = 0; index < slots.length; index++) {
			const slot = slots[index];
			if (store.type[slot] > 1) {
				store.keyLength[slot] = KEY_NONE;
				continue;
			}
			const picked = this.keyEntry(store.keyTexts.get(slot) ?? '');
			if (!picked) continue;
			// 22 chars = 16 bytes (folder), 43 chars = 32 bytes (file); longer ones are RSA-wrapped (keyOf, lazily).
			const length = picked.data.length === 22 ? 16 : picked.data.length === 43 ? 32 : 0;
			if (length === 0) continue;
			let group = groups.get(picked.id);
			if (!group) {
				group = { slots: [], lengths: [], wrapped: Buffer.allocUnsafe(Math.min(65_536, (slots.length - index) * 32)), bytes: 0, valid: true };
				groups.set(picked.id, group);
			}
			if (group.bytes + length > group.wrapped.length) {
				const larger = Buffer.allocUnsafe(Math.max(group.wrapped.length * 2, group.bytes + length));
				group.wrapped.copy(larger, 0, 0, group.bytes);
				group.wrapped = larger;
			}
			if (group.wrapped.write(picked.data, group.bytes, 'base64url') !== length) group.valid = false;
			group.slots.push(slot);
			group.lengths.push(length);
			group.bytes += length;
		}
		for (const [id, group] of groups) {
			const cipher = id === '' ? this.masterCipher : new AesEcb(this.shareKeys.get(id) as Buffer);
			if (!cipher) continue;
			if (!group.valid) {
				// Some key was not valid base64: fall back to the lazy, per-node path for this group.
				for (const slot of group.slots) store.keyLength[slot] = KEY_UNKNOWN;
				continue;
			}
			const plain = cipher.decrypt(group.wrapped.subarray(0, group.bytes));
			let offset = 0;
			group.slots.forEach((slot, index) => {
				const length = group.lengths[index];
				store.setKeyBytes(slot, plain, offset, length);
				// The wrapped key text is not needed once unwrapped (a changed `k` in a later packet still compares unequal).
				store.keyTexts.delete(slot);
				offset += length;
			});
		}
	}

	/** The decrypted node key (16 bytes folder, 32 bytes file), or null when we hold no key for it. */
	keyOf(entry: TreeEntry): Buffer | null {
		if (entry.key !== undefined) return entry.key;
		entry.key = null;
		if (entry.t > 1) return null;
		const picked = this.keyEntry(entry.k);
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
		const slot = this.store.find(handle);
		return slot < 0 ? undefined : new TreeEntry(this.store, slot);
	}

	childrenOf(handle: string): TreeEntry[] {
		const store = this.store;
		const slot = store.find(handle);
		const list: TreeEntry[] = [];
		if (slot < 0) return list;
		for (let child = store.firstChild[slot]; child >= 0; child = store.nextSibling[child]) list.push(new TreeEntry(store, child));
		return list;
	}

	/** The node above `entry` in this tree (a node outside the tree is placed by its parent's handle). */
	private parentOf(entry: TreeEntry): TreeEntry | undefined {
		if (entry.store !== this.store) return entry.p ? this.get(entry.p) : undefined;
		const parent = this.store.parent[entry.slot];
		return this.store.exists(parent) ? new TreeEntry(this.store, parent) : undefined;
	}

	/** Files and folders directly in a folder (old file versions are children of files, not listed here). */
	listChildren(handle: string): TreeEntry[] {
		const store = this.store;
		const slot = store.find(handle);
		const list: TreeEntry[] = [];
		if (slot < 0 || store.type[slot] === 0) return list;
		for (let child = store.firstChild[slot]; child >= 0; child = store.nextSibling[child]) {
			const type = store.type[child];
			if (type === 0 || type === 1) list.push(new TreeEntry(store, child));
		}
		return list;
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
		if (entry.t !== 0) return false;
		return this.parentOf(entry)?.t === 0;
	}

	isInSubtree(handle: string, ancestor: string): boolean {
		const store = this.store;
		const top = store.find(ancestor);
		if (top < 0) return false;
		let current = store.find(handle);
		let guard = 0;
		while (current >= 0 && store.exists(current) && guard++ < 10_000) {
			if (current === top) return true;
			current = store.parent[current];
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
			current = this.parentOf(current);
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
		const startEntry = this.get(start);
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
		let current = this.parentOf(entry);
		while (current && result.length < 10_000) {
			result.push(current.h);
			current = this.parentOf(current);
		}
		return result;
	}

	/** A copy of the tree as it is now, which later packets and loads do not change (to compare a reload with). */
	snapshot(): MegaTree {
		return this.copy(this.store.clone());
	}

	/**
	 * The tree as it is now, for a caller about to `load` this tree: it takes the columns themselves (no copy), which
	 * the load replaces rather than refills. Packets applied before that load would show in it.
	 */
	handOver(): MegaTree {
		return this.copy(this.store);
	}

	private copy(store: NodeStore): MegaTree {
		const copy = new MegaTree(this.options);
		copy.store = store;
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
		const store = this.store;
		// Children first, so no removed node is left with a child.
		const order: number[] = [];
		const stack = [entry.slot];
		while (stack.length > 0) {
			const slot = stack.pop() as number;
			order.push(slot);
			for (let child = store.firstChild[slot]; child >= 0; child = store.nextSibling[child]) stack.push(child);
		}
		for (let index = order.length - 1; index >= 0; index--) store.remove(order[index]);
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
		// A copy of a node outside the tree, with some fields changed (its key too, so names still decrypt).
		const variant = (entry: TreeEntry, changes: { p?: string | null; a?: string }): TreeEntry => {
			const copy = TreeEntry.from({ h: entry.h, p: ('p' in changes ? changes.p : entry.p) ?? undefined, t: entry.t, s: entry.s, ts: entry.ts, a: changes.a ?? entry.a, k: entry.k, fa: entry.fa });
			copy.key = entry.key;
			return copy;
		};
		for (const packet of packets) {
			const own = isOwn(packet.i);
			switch (packet.a) {
				case 't': {
					const body = (packet.t ?? {}) as { f?: RawNode[]; f2?: RawNode[] };
					const fresh: number[] = [];
					const seenHandles = new Set<string>();
					const versions = new Set((body.f2 ?? []).map((raw) => raw.h));
					const placed: Array<{ raw: RawNode; entry: TreeEntry; existed: boolean }> = [];
					// Pass 1: put every node of the packet in place (a moved subtree, new versions under their file).
					for (const raw of [...(body.f ?? []), ...(body.f2 ?? [])]) {
						if (!raw || typeof raw.h !== 'string' || seenHandles.has(raw.h)) continue;
						seenHandles.add(raw.h);
						const existing = this.get(raw.h);
						let entry: TreeEntry;
						if (existing && mutate) {
							existing.p = raw.p ? raw.p : null;
							if (raw.a !== undefined) existing.a = raw.a;
							existing.attrs = undefined;
							if (raw.k && raw.k !== existing.k) {
								existing.k = raw.k;
								if (!existing.key) existing.key = undefined;
							}
							entry = existing;
						} else if (existing) {
							entry = variant(existing, { p: raw.p ? raw.p : null, a: raw.a ?? existing.a });
							window.set(raw.h, entry);
						} else {
							if (mutate) {
								const slot = this.store.put(raw, raw.k ?? '');
								this.noteRoot(slot);
								entry = new TreeEntry(this.store, slot);
								fresh.push(slot);
							} else {
								entry = TreeEntry.from(raw);
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
						const base = known ?? this.get(handle);
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
					const entry = this.get(handle);
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
					const entry = this.get(handle);
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
					const entry = this.get(handle);
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
							const entry = this.get(handle);
							events.push({ type: 'unlinked', handle, node: entry ? this.toNode(entry) : undefined, ancestors: entry ? this.ancestorsOf(entry) : undefined, own, sn });
						}
					} else if (mutate) {
						this.exportedFolders.add(handle);
						if (packet.ok !== undefined) this.learnShareKey(handle, packet.ok, packet.ha);
					}
					break;
				}
				case 'fa': {
					const entry = this.get(String(packet.n ?? ''));
					if (entry && mutate && typeof packet.fa === 'string') entry.fa = packet.fa;
					break;
				}
				default:
					break;
			}
		}
		// A `d m:1` whose node never came back in this batch is a removal.
		for (const [handle, pending] of pendingMoves) {
			const entry = this.get(handle);
			if (entry && mutate) this.removeSubtree(entry);
			if (!mutate) window.set(handle, null);
			events.push({ type: 'deleted', handle, previous: pending.previous, ...(pending.unknown ? { previousUnknown: true } : {}), own: pending.own, sn });
		}
		return events;
	}
}

interface TreeApi {
	request<T = unknown>(command: Record<string, unknown> & { a: string }, options?: { signal?: AbortSignal; query?: Record<string, string>; noSession?: boolean }): Promise<T>;
	/** When present, the `f` reply is read as it streams (see `MegaApiTransport.requestStreamed`). */
	requestStreamed?<T = unknown>(
		command: Record<string, unknown> & { a: string },
		startReading: () => StreamedReplyReader,
		options?: { signal?: AbortSignal; query?: Record<string, string>; noSession?: boolean },
	): Promise<T>;
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
		let reply: FetchReply;
		let staged: StagedNodes | undefined;
		if (this.api.requestStreamed) {
			// Each node becomes an entry as its bytes arrive; a retried attempt starts afresh.
			reply = await this.api.requestStreamed<FetchReply>(
				command,
				() => {
					const attempt = new StagedNodes();
					staged = attempt;
					return new FetchReplyScanner(
						(raw) => this.tree.stage(attempt, raw),
						(buffer, node) => this.tree.stageFlat(attempt, buffer, node),
					);
				},
				{ signal, ...this.query },
			);
		} else {
			reply = await this.api.request<FetchReply>(command, { signal, ...this.query });
		}
		if (this.loaded) this.beforeReload = { tree: this.tree.handOver(), log: [...this.log], baseSn: this.baseSn };
		if (staged) this.tree.loadStaged(staged, reply);
		else this.tree.load(reply);
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
