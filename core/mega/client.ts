/**
 * MegaClient: the facade the nodes and the trigger use. Every read first brings the shared account tree up to date
 * with one `sc?sn=` request; every write goes out as MEGA's own clients send it (whole attribute objects, `rr` on
 * trash, `cr` keys for exported folders) and then re-reads the feed, so the returned nodes are what MEGA holds.
 */
import { randomBytes } from 'node:crypto';

import { MegaApiTransport, type MegaCommand, type RetryPolicy } from './api/transport';
import type { MegaChangeBatch } from './changes';
import {
	AesEcb,
	AttributeDecryptError,
	base64urlDecode,
	base64urlEncode,
	decryptAttributes,
	decryptKey,
	encryptAttributes,
	encryptKey,
	handleAuthText,
} from './crypto';
import {
	MegaAmbiguousPathError,
	MegaApiError,
	MegaError,
	MegaInvalidOperationError,
	MegaLinkError,
	MegaNotFoundError,
	MegaProtocolError,
	MegaShareKeyUnknownError,
} from './errors';
import { encryptPasswordLink, formatFileLink, formatFolderLink, resolveMegaLink, type ParsedMegaLink } from './links';
import { openSession, type MegaAccountSession, type MegaCredentials } from './session';
import { runOperation, type MegaOperation } from './operation';
import { LiveMegaTree, type MegaNode, type MegaTree, type TreeEntry } from './tree';
import {
	openDownload,
	uploadFile,
	type DownloadOptions,
	type MegaDownloadStream,
	type NameConflictPolicy,
	type UploadOptions,
	type UploadResult,
} from './transfer';

/**
 * A node: a path (`/a/b`, `//bin/x` in the rubbish bin; text without a leading slash is a path from the root unless it
 * is the 8-character handle of an existing node), `{ handle }`, `{ path }` or a MegaNode.
 */
export type NodeRef = string | { handle: string } | { path: string } | MegaNode;

export interface MegaClientOptions {
	gateway?: string;
	retry?: Partial<RetryPolicy>;
	timeoutMs?: number;
	signal?: AbortSignal;
	/** Skip the per-process session cache (a fresh login). */
	fresh?: boolean;
}

export interface OperationOptions {
	signal?: AbortSignal;
}

export interface MegaSearchQuery {
	/** Glob on the name: `*` any run, `?` one character; case-insensitive. */
	name?: string;
	regex?: string | RegExp;
	type?: 'file' | 'folder';
	minSize?: number;
	maxSize?: number;
	modifiedAfter?: Date;
	modifiedBefore?: Date;
	under?: NodeRef;
	/** Default true. */
	recursive?: boolean;
	includeRubbishBin?: boolean;
	limit?: number;
}

export interface MegaQuota {
	storageUsed: number;
	storageMax: number;
	/** Transfer used: own and served to others, committed (`caxfer`, `csxfer`) and not yet committed (`tua`, `tuo`). */
	transferUsed: number;
	/** The fixed transfer quota (`mxfer`); null when MEGA reports none (free accounts have a dynamic, unreported limit). */
	transferMax: number | null;
	proLevel: number;
}

export interface MegaAccountInfo {
	userHandle: string;
	email?: string;
	name?: string;
	ephemeral: boolean;
}

export interface MegaUploadOptions extends Omit<UploadOptions, 'parentHandle' | 'masterKey' | 'conflict' | 'putNodeExtras'> {
	parent?: NodeRef;
	onConflict?: NameConflictPolicy;
}

export interface MegaUploadResult extends UploadResult {
	file: MegaNode;
}

const liveTrees = new Map<string, LiveMegaTree>();

function globToRegExp(glob: string): RegExp {
	const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	return new RegExp(`^${escaped}$`, 'i');
}

export class MegaClient {
	private constructor(
		readonly session: MegaAccountSession,
		private readonly live: LiveMegaTree,
	) {}

	/** Logs in (or reuses this process's session for the same credential) and attaches the account's shared tree. */
	static async connect(credentials: MegaCredentials, options: MegaClientOptions = {}): Promise<MegaClient> {
		const session = await openSession(credentials, {
			gateway: options.gateway,
			retry: options.retry,
			timeoutMs: options.timeoutMs,
			signal: options.signal,
			fresh: options.fresh,
		});
		const key = `${session.api.gateway}|${session.data.userHandle}`;
		let live = liveTrees.get(key);
		if (!live || options.fresh) {
			live = new LiveMegaTree(session.api, {
				masterKey: session.data.masterKey,
				userHandle: session.data.userHandle,
				privateKey: session.data.privateKey,
			});
			liveTrees.set(key, live);
		} else {
			live.attach(session.api);
		}
		const tree = live;
		// A write whose reply is lost is looked up in the feed from here (see MegaApiTransport.changeFeedPosition).
		session.api.changeFeedPosition = () => tree.tree.sn || undefined;
		return new MegaClient(session, live);
	}

	/** Resumes an exported session string (see `exportSession` and the `mega-session` command). */
	static fromSession(session: string, options: MegaClientOptions = {}): Promise<MegaClient> {
		return MegaClient.connect({ kind: 'session', session }, options);
	}

	/** The transport (for transfer functions): it carries the session id and the retry policy. */
	get api(): MegaApiTransport {
		return this.session.api;
	}

	get userHandle(): string {
		return this.session.data.userHandle;
	}

	exportSession(): string {
		return this.session.exportSession();
	}

	async logout(): Promise<void> {
		liveTrees.delete(`${this.api.gateway}|${this.userHandle}`);
		await this.session.logout();
	}

	/** The shared tree, brought up to date with one `sc` request. */
	async tree(options: OperationOptions = {}): Promise<MegaTree> {
		return this.live.refresh(options.signal);
	}

	/** How many full `f` fetches this account's shared tree has made in this process. */
	get treeFetchCount(): number {
		return this.live.fetchCount;
	}

	private get masterKey(): Buffer {
		return this.session.data.masterKey;
	}

	private resolve(tree: MegaTree, ref: NodeRef): TreeEntry {
		if (typeof ref === 'string') {
			if (ref.startsWith('/')) return tree.resolvePath(ref);
			// An 8-character handle that exists is a handle; any other text is a path relative to the Cloud Drive root.
			if (/^[A-Za-z0-9_-]{8}$/.test(ref) && tree.get(ref)) return this.byHandle(tree, ref);
			if (/^[A-Za-z0-9_-]{8}$/.test(ref)) {
				try {
					return tree.resolvePath(`/${ref}`);
				} catch {
					return this.byHandle(tree, ref);
				}
			}
			return tree.resolvePath(`/${ref}`);
		}
		if ('path' in ref && typeof ref.path === 'string' && !('handle' in ref)) return tree.resolvePath(ref.path);
		return this.byHandle(tree, (ref as { handle: string }).handle);
	}

	private byHandle(tree: MegaTree, handle: string): TreeEntry {
		const entry = tree.get(handle);
		if (!entry) throw new MegaNotFoundError(`No MEGA item has the handle ${handle}`, 'The item may have been deleted; list the folder again.');
		return entry;
	}

	private requireFolder(tree: MegaTree, entry: TreeEntry, what: string): void {
		if (entry.t === 0) throw new MegaInvalidOperationError(`${what} "${tree.pathOf(entry)}" is a file, not a folder`, 'ENOTFOLDER');
	}

	private requireMovable(tree: MegaTree, entry: TreeEntry): void {
		if (entry.t > 1) throw new MegaInvalidOperationError(`"${tree.nameOf(entry)}" is a root folder and cannot be changed`, 'EROOT');
		if (tree.isVersion(entry)) throw new MegaInvalidOperationError('This is an old version of a file; change the current version instead', 'EVERSION');
	}

	private attributesFor(tree: MegaTree, entry: TreeEntry): Record<string, unknown> {
		const attrs = tree.attributesOf(entry);
		if (!attrs) {
			throw new MegaError('This item cannot be decrypted with the account key', { code: 'EKEY', cause: 'access-denied' });
		}
		return { ...attrs };
	}

	private encryptAttrs(attrs: Record<string, unknown>, key: Buffer): string {
		return base64urlEncode(encryptAttributes(attrs, key));
	}

	private nodeKey(tree: MegaTree, entry: TreeEntry): Buffer {
		const key = tree.keyOf(entry);
		if (!key) throw new MegaError('This item cannot be decrypted with the account key', { code: 'EKEY', cause: 'access-denied' });
		return key;
	}

	/** Exported folders at or above `handle` whose share key we hold: writes below them must carry `cr` keys. */
	private exportedAncestors(tree: MegaTree, handle: string): string[] {
		const result: string[] = [];
		let current = tree.get(handle);
		let guard = 0;
		while (current && guard++ < 10_000) {
			if (tree.exportedFolders.has(current.h) && tree.shareKeys.has(current.h)) result.push(current.h);
			current = current.p ? tree.get(current.p) : undefined;
		}
		return result;
	}

	/**
	 * `cr` = [[share handles], [node handles], [shareIndex, nodeIndex, ECB(shareKey, nodeKey), …]].
	 * `nodes` lists (handle or placeholder, key); for `p` the index refers to `n[]`.
	 */
	private cryptoRequest(tree: MegaTree, shares: string[], nodes: Array<{ handle: string; key: Buffer }>): unknown[] | undefined {
		if (shares.length === 0 || nodes.length === 0) return undefined;
		const triples: unknown[] = [];
		shares.forEach((share, shareIndex) => {
			const cipher = new AesEcb(tree.shareKeys.get(share) as Buffer);
			nodes.forEach((node, nodeIndex) => triples.push(shareIndex, nodeIndex, base64urlEncode(cipher.encrypt(node.key))));
		});
		return [shares, nodes.map((node) => node.handle), triples];
	}

	/** `cr` for one share whose key is not (yet) in the tree: a share being created. */
	private cryptoRequestWith(shareKey: Buffer, shares: [string], nodes: Array<{ handle: string; key: Buffer }>): unknown[] | undefined {
		if (nodes.length === 0) return undefined;
		const cipher = new AesEcb(shareKey);
		const triples: unknown[] = [];
		nodes.forEach((node, nodeIndex) => triples.push(0, nodeIndex, base64urlEncode(cipher.encrypt(node.key))));
		return [shares, nodes.map((node) => node.handle), triples];
	}

	private async mutate(commands: MegaCommand[], signal?: AbortSignal): Promise<unknown[]> {
		for (const command of commands) command.i = this.api.nextRequestTag();
		const results = commands.length === 1 ? [await this.api.request(commands[0], { signal })] : await this.api.batch(commands, { signal });
		const failed = results.find((result) => result instanceof MegaApiError);
		// Apply what happened (also when a later command of the batch failed) before reporting.
		await this.live.refresh(signal, true);
		if (failed) throw failed;
		return results;
	}

	private toNode(tree: MegaTree, handle: string): MegaNode {
		return tree.toNode(this.byHandle(tree, handle));
	}

	// ---- reading -------------------------------------------------------------------------------------------------

	async info(ref: NodeRef, options: OperationOptions = {}): Promise<MegaNode> {
		const tree = await this.tree(options);
		return tree.toNode(this.resolve(tree, ref));
	}

	async list(ref: NodeRef = '/', options: OperationOptions & { recursive?: boolean } = {}): Promise<MegaNode[]> {
		return this.listIn(await this.tree(options), ref, options);
	}

	private async listIn(tree: MegaTree, ref: NodeRef, options: OperationOptions & { recursive?: boolean }): Promise<MegaNode[]> {
		const folder = this.resolve(tree, ref);
		this.requireFolder(tree, folder, 'The item to list');
		const entries = options.recursive ? tree.descendants(folder.h) : tree.listChildren(folder.h);
		await tree.prepareNames(entries, options.signal);
		return entries.map((entry) => tree.toNode(entry));
	}

	async listRubbishBin(options: OperationOptions & { recursive?: boolean } = {}): Promise<MegaNode[]> {
		const tree = await this.tree(options);
		return this.listIn(tree, tree.rubbishHandle, options);
	}

	async search(query: MegaSearchQuery, options: OperationOptions = {}): Promise<MegaNode[]> {
		const tree = await this.tree(options);
		const under = this.resolve(tree, query.under ?? '/');
		this.requireFolder(tree, under, 'The folder to search');
		const recursive = query.recursive ?? true;
		let entries = recursive ? tree.descendants(under.h) : tree.listChildren(under.h);
		if (query.type) entries = entries.filter((entry) => entry.t === (query.type === 'file' ? 0 : 1));
		if (query.minSize !== undefined) entries = entries.filter((entry) => entry.t === 0 && entry.s >= (query.minSize as number));
		if (query.maxSize !== undefined) entries = entries.filter((entry) => entry.t === 0 && entry.s <= (query.maxSize as number));
		await tree.prepareNames(entries, options.signal);
		const nameRegex = query.name ? globToRegExp(query.name) : undefined;
		const regex = typeof query.regex === 'string' ? new RegExp(query.regex) : query.regex;
		const results: MegaNode[] = [];
		for (const entry of entries) {
			const name = tree.nameOf(entry);
			if (nameRegex && !nameRegex.test(name)) continue;
			if (regex && !regex.test(name)) continue;
			const node = tree.toNode(entry);
			if (query.modifiedAfter && node.modifiedAt < query.modifiedAfter) continue;
			if (query.modifiedBefore && node.modifiedAt > query.modifiedBefore) continue;
			if (node.inRubbishBin && !query.includeRubbishBin && !tree.inRubbishBin(under)) continue;
			results.push(node);
			if (query.limit !== undefined && results.length >= query.limit) break;
		}
		return results;
	}

	async versions(ref: NodeRef, options: OperationOptions = {}): Promise<MegaNode[]> {
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		if (entry.t !== 0) throw new MegaInvalidOperationError('Only files have versions', 'ENOTFILE');
		return [entry, ...tree.olderVersions(entry)].map((version) => tree.toNode(version));
	}

	async quota(options: OperationOptions = {}): Promise<MegaQuota> {
		const reply = await this.api.request<Record<string, unknown>>({ a: 'uq', strg: 1, xfer: 1, pro: 1 }, { signal: options.signal });
		const number = (value: unknown, fallback = 0) => (typeof value === 'number' ? value : fallback);
		return {
			storageUsed: number(reply.cstrg),
			storageMax: number(reply.mstrg),
			transferUsed: number(reply.caxfer) + number(reply.csxfer) + number(reply.tua) + number(reply.tuo),
			transferMax: typeof reply.mxfer === 'number' ? reply.mxfer : null,
			proLevel: number(reply.utype),
		};
	}

	async account(options: OperationOptions = {}): Promise<MegaAccountInfo> {
		const user = await this.api.request<Record<string, unknown>>({ a: 'ug' }, { signal: options.signal });
		return {
			userHandle: typeof user.u === 'string' ? user.u : this.userHandle,
			email: typeof user.email === 'string' ? user.email : this.session.data.email,
			name: typeof user.name === 'string' ? user.name : undefined,
			ephemeral: this.session.data.ephemeral,
		};
	}

	/** Changes since a position (from an earlier call), as typed events; first call with `undefined` to get a position. */
	async changes(since?: string, options: OperationOptions = {}): Promise<MegaChangeBatch> {
		return this.live.changesSince(since, options.signal);
	}

	// ---- writing -------------------------------------------------------------------------------------------------

	/** `mkdir -p`: creates every missing folder of `path` (under `parent`, default the Cloud Drive root) in one request. */
	async mkdir(path: string, options: OperationOptions & { parent?: NodeRef; alwaysCreate?: boolean } = {}): Promise<MegaNode> {
		return this.live.exclusive(() => this.mkdirNow(path, options));
	}

	private async mkdirNow(path: string, options: OperationOptions & { parent?: NodeRef; alwaysCreate?: boolean }): Promise<MegaNode> {
		const tree = await this.tree(options);
		let current = options.parent !== undefined ? this.resolve(tree, options.parent) : this.byHandle(tree, tree.rootHandle);
		this.requireFolder(tree, current, 'The parent');
		const parts = path.split('/').filter((part) => part !== '');
		let index = 0;
		for (; index < parts.length && !options.alwaysCreate; index++) {
			const matches = tree.listChildren(current.h).filter((child) => child.t === 1 && tree.nameOf(child) === parts[index]);
			if (matches.length === 0) break;
			if (matches.length > 1) {
				throw new MegaAmbiguousPathError(`${tree.pathOf(current).replace(/\/$/, '')}/${parts[index]}`, matches.map((m) => m.h));
			}
			current = matches[0];
		}
		if (index === parts.length) return tree.toNode(current);
		const entries: Array<Record<string, unknown>> = [];
		const keys: Array<{ handle: string; key: Buffer }> = [];
		for (let i = index; i < parts.length; i++) {
			const key = randomBytes(16);
			const temp = `tmp${String(i).padStart(5, '0')}`;
			const entry: Record<string, unknown> = { h: temp, t: 1, a: this.encryptAttrs({ n: parts[i] }, key), k: base64urlEncode(encryptKey(this.masterKey, key)) };
			if (i > index) entry.p = `tmp${String(i - 1).padStart(5, '0')}`;
			entries.push(entry);
			keys.push({ handle: 'xxxxxxxx', key });
		}
		const command: MegaCommand = { a: 'p', t: current.h, n: entries };
		const cr = this.cryptoRequest(tree, this.exportedAncestors(tree, current.h), keys);
		if (cr) command.cr = cr;
		const [reply] = await this.mutate([command], options.signal);
		const created = (reply as { f?: Array<{ h: string }> }).f;
		if (!created || created.length !== entries.length) throw new MegaProtocolError('MEGA did not return the new folders');
		return this.toNode(tree, created[created.length - 1].h);
	}

	/** Renames, re-sending the whole attribute object (keeps the fingerprint/mtime `c`, `rr`, labels and unknown keys). */
	async rename(ref: NodeRef, newName: string, options: OperationOptions = {}): Promise<MegaNode> {
		if (!newName || newName.includes('/')) throw new MegaInvalidOperationError('A name must not be empty or contain "/"', 'EBADNAME');
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		this.requireMovable(tree, entry);
		const attrs = this.attributesFor(tree, entry);
		attrs.n = newName;
		await this.mutate([{ a: 'a', n: entry.h, at: this.encryptAttrs(attrs, this.nodeKey(tree, entry)) }], options.signal);
		return this.toNode(tree, entry.h);
	}

	/** Sets or clears attributes (label, favourite, description, custom `_x` keys) keeping all the others. */
	async setAttributes(ref: NodeRef, changes: Record<string, unknown>, options: OperationOptions = {}): Promise<MegaNode> {
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		this.requireMovable(tree, entry);
		const attrs = this.attributesFor(tree, entry);
		for (const [key, value] of Object.entries(changes)) {
			if (value === undefined || value === null) delete attrs[key];
			else attrs[key] = value;
		}
		await this.mutate([{ a: 'a', n: entry.h, at: this.encryptAttrs(attrs, this.nodeKey(tree, entry)) }], options.signal);
		return this.toNode(tree, entry.h);
	}

	private moveCommand(tree: MegaTree, entry: TreeEntry, targetHandle: string): MegaCommand {
		const command: MegaCommand = { a: 'm', n: entry.h, t: targetHandle };
		const shares = this.exportedAncestors(tree, targetHandle);
		if (shares.length > 0) {
			const nodes = [entry, ...tree.descendants(entry.h)]
				.map((node) => ({ handle: node.h, key: tree.keyOf(node) }))
				.filter((node): node is { handle: string; key: Buffer } => node.key !== null);
			const cr = this.cryptoRequest(tree, shares, nodes);
			if (cr) command.cr = cr;
		}
		return command;
	}

	async move(ref: NodeRef, target: NodeRef, options: OperationOptions = {}): Promise<MegaNode> {
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		const destination = this.resolve(tree, target);
		this.requireMovable(tree, entry);
		this.requireFolder(tree, destination, 'The destination');
		if (tree.isInSubtree(destination.h, entry.h)) {
			throw new MegaInvalidOperationError(
				`Cannot move "${tree.pathOf(entry)}" into itself or one of its own subfolders`,
				'ECIRCULAR',
				'Choose a destination outside the folder being moved.',
			);
		}
		if (entry.p === destination.h) return tree.toNode(entry);
		await this.mutate([this.moveCommand(tree, entry, destination.h)], options.signal);
		return this.toNode(tree, entry.h);
	}

	/** Server-side copy: file contents are not transferred; keys are re-wrapped. Folders are copied with their subtree. */
	async copy(ref: NodeRef, target: NodeRef, options: OperationOptions & { name?: string } = {}): Promise<MegaNode> {
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		const destination = this.resolve(tree, target);
		this.requireMovable(tree, entry);
		this.requireFolder(tree, destination, 'The destination');
		if (entry.t === 1 && tree.isInSubtree(destination.h, entry.h)) {
			throw new MegaInvalidOperationError('Cannot copy a folder into itself', 'ECIRCULAR');
		}
		const entries: Array<Record<string, unknown>> = [];
		const keys: Array<{ handle: string; key: Buffer }> = [];
		const addEntry = (node: TreeEntry, parentTemp: string | undefined, rename?: string) => {
			const key = this.nodeKey(tree, node);
			const attrs = this.attributesFor(tree, node);
			if (rename) attrs.n = rename;
			delete attrs.rr;
			const item: Record<string, unknown> = {
				h: node.h,
				t: node.t,
				a: this.encryptAttrs(attrs, key),
				k: base64urlEncode(encryptKey(this.masterKey, key)),
			};
			if (parentTemp) item.p = parentTemp;
			entries.push(item);
			keys.push({ handle: 'xxxxxxxx', key });
			if (node.t === 1) for (const child of tree.listChildren(node.h)) addEntry(child, node.h);
		};
		addEntry(entry, undefined, options.name);
		const command: MegaCommand = { a: 'p', t: destination.h, n: entries };
		const cr = this.cryptoRequest(tree, this.exportedAncestors(tree, destination.h), keys);
		if (cr) command.cr = cr;
		const [reply] = await this.mutate([command], options.signal);
		const created = (reply as { f?: Array<{ h: string }> }).f;
		if (!created || created.length === 0) throw new MegaProtocolError('MEGA did not return the copied nodes');
		return this.toNode(tree, created[0].h);
	}

	/** Moves to the rubbish bin, first recording the original folder in `rr` (as MEGA's own clients do). */
	async trash(ref: NodeRef, options: OperationOptions = {}): Promise<MegaNode> {
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		this.requireMovable(tree, entry);
		if (tree.inRubbishBin(entry)) return tree.toNode(entry);
		const attrs = this.attributesFor(tree, entry);
		attrs.rr = entry.p;
		await this.mutate(
			[
				{ a: 'a', n: entry.h, at: this.encryptAttrs(attrs, this.nodeKey(tree, entry)) },
				{ a: 'm', n: entry.h, t: tree.rubbishHandle },
			],
			options.signal,
		);
		return this.toNode(tree, entry.h);
	}

	/** Restores from the rubbish bin to the recorded folder, or to `destination` when that folder is gone. */
	async restore(ref: NodeRef, options: OperationOptions & { destination?: NodeRef } = {}): Promise<MegaNode> {
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		this.requireMovable(tree, entry);
		if (!tree.inRubbishBin(entry)) throw new MegaInvalidOperationError(`"${tree.nameOf(entry)}" is not in the rubbish bin`, 'ENOTINRUBBISH');
		const attrs = this.attributesFor(tree, entry);
		const original = typeof attrs.rr === 'string' ? tree.get(attrs.rr) : undefined;
		let destination: TreeEntry;
		if (original && !tree.inRubbishBin(original) && original.h !== tree.rubbishHandle) {
			destination = original;
		} else if (options.destination !== undefined) {
			destination = this.resolve(tree, options.destination);
			this.requireFolder(tree, destination, 'The destination');
		} else {
			throw new MegaNotFoundError(
				`The original folder of "${tree.nameOf(entry)}" no longer exists`,
				'Give a destination folder to restore it to.',
			);
		}
		delete attrs.rr;
		await this.mutate(
			[{ a: 'a', n: entry.h, at: this.encryptAttrs(attrs, this.nodeKey(tree, entry)) }, this.moveCommand(tree, entry, destination.h)],
			options.signal,
		);
		return this.toNode(tree, entry.h);
	}

	/** Deletes permanently (with its subtree and old versions). */
	async delete(ref: NodeRef, options: OperationOptions = {}): Promise<void> {
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		if (entry.t > 1) throw new MegaInvalidOperationError('Root folders cannot be deleted', 'EROOT');
		await this.mutate([{ a: 'd', n: entry.h }], options.signal);
	}

	async emptyRubbishBin(options: OperationOptions = {}): Promise<void> {
		await this.tree(options);
		await this.mutate([{ a: 'dr' }], options.signal);
	}

	/** Deletes every old version of a file, keeping the current one. */
	async deleteVersions(ref: NodeRef, options: OperationOptions = {}): Promise<MegaNode> {
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		if (entry.t !== 0) throw new MegaInvalidOperationError('Only files have versions', 'ENOTFILE');
		const direct = tree.childrenOf(entry.h).filter((child) => child.t === 0);
		if (direct.length > 0) await this.mutate(direct.map((version) => ({ a: 'd', n: version.h })), options.signal);
		return this.toNode(tree, entry.h);
	}

	// ---- links ---------------------------------------------------------------------------------------------------

	/** Creates (or returns) the public link of a file or folder; with `password`, a `#P!` password-protected link. */
	async createLink(ref: NodeRef, options: OperationOptions & { password?: string } = {}): Promise<{ url: string; node: MegaNode }> {
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		this.requireMovable(tree, entry);
		let key: Buffer;
		if (entry.t === 0) {
			key = this.nodeKey(tree, entry);
			if (!tree.publicHandles.has(entry.h)) await this.mutate([{ a: 'l', n: entry.h }], options.signal);
		} else {
			let shareKey = tree.shareKeys.get(entry.h);
			if (!shareKey && tree.sharesWithUnknownKey.has(entry.h)) throw new MegaShareKeyUnknownError(entry.h, tree.pathOf(entry));
			if (!shareKey || !tree.exportedFolders.has(entry.h)) shareKey = await this.exportFolder(tree, entry, shareKey ?? randomBytes(16), options.signal);
			if (!tree.publicHandles.has(entry.h)) await this.mutate([{ a: 'l', n: entry.h }], options.signal);
			key = shareKey;
		}
		const ph = tree.publicHandles.get(entry.h);
		if (!ph) throw new MegaProtocolError('MEGA did not create a public handle');
		const kind = entry.t === 0 ? 'file' : 'folder';
		const url = options.password
			? await encryptPasswordLink({ kind, handle: ph, key }, options.password)
			: kind === 'file'
				? formatFileLink(ph, key)
				: formatFolderLink(ph, key);
		return { url, node: this.toNode(tree, entry.h) };
	}

	/**
	 * Shares a folder to `EXP` under `proposed` (with `cr` keys for its subtree) and returns the key it is shared
	 * under. MEGA keeps an existing share key: a reply carrying `ok` means the folder is already shared under that
	 * key, so the share is sent again with it (as MEGA's SDK does). The key is trusted only once MEGA confirmed it.
	 */
	private async exportFolder(tree: MegaTree, entry: TreeEntry, proposed: Buffer, signal?: AbortSignal): Promise<Buffer> {
		let shareKey = proposed;
		for (let attempt = 0; attempt < 2; attempt++) {
			const nodes = [entry, ...tree.descendants(entry.h)]
				.map((node) => ({ handle: node.h, key: tree.keyOf(node) }))
				.filter((node): node is { handle: string; key: Buffer } => node.key !== null);
			const cr = this.cryptoRequestWith(shareKey, [entry.h], nodes);
			const [reply] = await this.mutate(
				[{ a: 's2', n: entry.h, s: [{ u: 'EXP', r: 0 }], ok: base64urlEncode(encryptKey(this.masterKey, shareKey)), ha: handleAuthText(this.masterKey, entry.h), cr }],
				signal,
			);
			const held = (reply as { ok?: unknown } | null)?.ok;
			if (held === undefined) {
				tree.shareKeys.set(entry.h, shareKey);
				tree.sharesWithUnknownKey.delete(entry.h);
				return shareKey;
			}
			// Already shared under another key. An all-zero `ok` is the dummy of MEGA's apps: the real key is unknown.
			const wrapped = typeof held === 'string' ? base64urlDecode(held) : Buffer.alloc(0);
			if (wrapped.length !== 16 || wrapped.every((byte) => byte === 0)) {
				tree.sharesWithUnknownKey.add(entry.h);
				throw new MegaShareKeyUnknownError(entry.h, tree.pathOf(entry));
			}
			shareKey = decryptKey(this.masterKey, wrapped);
		}
		throw new MegaProtocolError('MEGA kept answering the folder share with a different share key');
	}

	async removeLink(ref: NodeRef, options: OperationOptions = {}): Promise<MegaNode> {
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		if (entry.t === 0) {
			if (tree.publicHandles.has(entry.h)) await this.mutate([{ a: 'l', n: entry.h, d: 1 }], options.signal);
		} else if (tree.exportedFolders.has(entry.h) || tree.publicHandles.has(entry.h)) {
			// As MEGA's SDK: delete the public handle, then the export (which MEGA need not confirm with a `ph d:1`).
			const commands: MegaCommand[] = [];
			if (tree.publicHandles.has(entry.h)) commands.push({ a: 'l', n: entry.h, d: 1 });
			if (tree.exportedFolders.has(entry.h)) commands.push({ a: 's2', n: entry.h, s: [{ u: 'EXP', r: '' }] });
			await this.mutate(commands, options.signal);
			tree.publicHandles.delete(entry.h);
			tree.exportedFolders.delete(entry.h);
		}
		return this.toNode(tree, entry.h);
	}

	/** Imports a public file link (server-side, by public handle) or a folder link (re-created and streamed) into a folder. */
	async importLink(url: string, target: NodeRef = '/', options: OperationOptions & { password?: string } = {}): Promise<MegaNode> {
		const link = await resolveMegaLink(url, options.password);
		const tree = await this.tree(options);
		const destination = this.resolve(tree, target);
		this.requireFolder(tree, destination, 'The destination');
		if (link.kind === 'folder') return this.importFolderLink(url, destination.h, options);
		const info = await this.api.request<{ s?: number; at?: string }>({ a: 'g', p: link.handle }, { signal: options.signal });
		const attrs = decryptLinkAttributes(info.at, link.key);
		const command: MegaCommand = {
			a: 'p',
			t: destination.h,
			n: [{ ph: link.handle, t: 0, a: this.encryptAttrs(attrs, link.key), k: base64urlEncode(encryptKey(this.masterKey, link.key)) }],
		};
		const cr = this.cryptoRequest(tree, this.exportedAncestors(tree, destination.h), [{ handle: 'xxxxxxxx', key: link.key }]);
		if (cr) command.cr = cr;
		const [reply] = await this.mutate([command], options.signal);
		const created = (reply as { f?: Array<{ h: string }> }).f;
		if (!created || created.length === 0) throw new MegaProtocolError('MEGA did not return the imported node');
		return this.toNode(tree, created[0].h);
	}

	/**
	 * Imports a folder link (or the folder/file a `/folder/H#K/file/X` link names): the folders are re-created with new
	 * keys and each file is streamed from the link into the account (MEGA has no server-side copy out of a folder link
	 * that a client can rely on). Names, folder structure and modification times are kept.
	 */
	private async importFolderLink(url: string, destinationHandle: string, options: OperationOptions & { password?: string }): Promise<MegaNode> {
		const folder = await openPublicFolder(url, { gateway: this.api.gateway, password: options.password, signal: options.signal });
		const { tree: source, link } = folder;
		const startHandle = link.childHandle ?? source.rootHandle;
		const start = source.get(startHandle);
		if (!start) throw new MegaNotFoundError('The item named in the link is not in the shared folder');
		const copyFile = async (entry: TreeEntry, parentHandle: string): Promise<string> => {
			const key = source.keyOf(entry);
			if (!key) throw new MegaLinkError('The link key does not open a file in this folder', 'ELINKKEY');
			const attrs = source.attributesOf(entry) ?? {};
			const mtime = source.toNode(entry).modifiedAt.getTime() / 1000;
			const result = await this.upload({
				parent: parentHandle,
				name: source.nameOf(entry),
				size: entry.s,
				mtime: Math.floor(mtime),
				source: () => openDownload(folder.api, { source: { handle: entry.h, folderHandle: link.handle }, key, signal: options.signal }),
				signal: options.signal,
			});
			// Keep attributes the upload does not write itself (labels, descriptions, app keys).
			const extra = Object.fromEntries(Object.entries(attrs).filter(([name]) => !['n', 'c', 'rr'].includes(name)));
			if (Object.keys(extra).length > 0) await this.setAttributes(result.handle, extra, options);
			return result.handle;
		};
		if (start.t === 0) return this.info(await copyFile(start, destinationHandle), options);
		const copyFolder = async (entry: TreeEntry, parentHandle: string): Promise<string> => {
			const created = await this.mkdir(source.nameOf(entry), { ...options, parent: parentHandle, alwaysCreate: true });
			for (const child of source.listChildren(entry.h)) {
				if (child.t === 1) await copyFolder(child, created.handle);
				else await copyFile(child, created.handle);
			}
			return created.handle;
		};
		return this.info(await copyFolder(start, destinationHandle), options);
	}

	// ---- transfers (the byte pipeline lives in core/mega/transfer) ----------------------------------------------

	/** Uploads into a folder (default the Cloud Drive root); name conflicts follow `onConflict` (default: keep both names). */
	async upload(options: MegaUploadOptions): Promise<MegaUploadResult> {
		const tree = await this.tree(options);
		const parent = this.resolve(tree, options.parent ?? '/');
		this.requireFolder(tree, parent, 'The upload destination');
		const siblings = tree.listChildren(parent.h);
		const existing = siblings.filter((child) => child.t === 0 && tree.nameOf(child) === options.name).map((child) => ({ handle: child.h, name: options.name }));
		const shares = this.exportedAncestors(tree, parent.h);
		const { parent: _parent, onConflict, ...rest } = options;
		const result = await uploadFile(this.api, {
			...rest,
			parentHandle: parent.h,
			masterKey: this.masterKey,
			conflict: onConflict
				? {
						policy: onConflict,
						existing,
						siblingNames: siblings.map((child) => tree.nameOf(child)),
						moveToRubbish: async (handle: string) => {
							await this.trash(handle, { signal: options.signal });
						},
					}
				: undefined,
			putNodeExtras: shares.length > 0 ? (nodeKey: Buffer) => ({ cr: this.cryptoRequest(tree, shares, [{ handle: 'xxxxxxxx', key: nodeKey }]) }) : undefined,
		});
		const fresh = await this.tree(options);
		return { ...result, file: this.toNode(fresh, result.handle) };
	}

	/** Opens a decrypting, MAC-verified download stream of one of this account's files. */
	async download(ref: NodeRef, options: Omit<DownloadOptions, 'source' | 'key'> = {}): Promise<MegaDownloadStream> {
		const tree = await this.tree(options);
		const entry = this.resolve(tree, ref);
		if (entry.t !== 0) throw new MegaInvalidOperationError(`"${tree.pathOf(entry)}" is a folder; only files can be downloaded`, 'ENOTFILE');
		return openDownload(this.api, { ...options, source: { handle: entry.h }, key: this.nodeKey(tree, entry), label: options.label ?? tree.pathOf(entry) });
	}

	/** A node reference as a quoted path for messages, from the tree as it is (no request). */
	describeRef(ref: NodeRef | undefined): string {
		if (ref === undefined) return '"/"';
		if (typeof ref === 'object' && 'path' in ref && typeof ref.path === 'string') return `"${ref.path}"`;
		const handle = typeof ref === 'string' ? (/^[A-Za-z0-9_-]{8}$/.test(ref) ? ref : undefined) : (ref as { handle: string }).handle;
		const entry = handle ? this.live.tree.get(handle) : undefined;
		if (entry) {
			try {
				return `"${this.live.tree.pathOf(entry)}"`;
			} catch {
				return `the item ${entry.h}`;
			}
		}
		if (typeof ref === 'string') return `"${ref.startsWith('/') ? ref : `/${ref}`}"`;
		return `the item ${(ref as { handle: string }).handle}`;
	}
}

type DescribeOperation = (client: MegaClient, ...args: unknown[]) => MegaOperation;
type OperationTable = {
	[M in keyof MegaClient]?: MegaClient[M] extends (...args: infer A) => unknown ? (client: MegaClient, ...args: A) => MegaOperation : never;
};
const read = (text: string): MegaOperation => ({ kind: 'read', text });
const change = (text: string): MegaOperation => ({ kind: 'change', text });

/**
 * What each public method is doing, in the words a workflow user knows: an error escaping the method names it
 * ("Access denied by MEGA while downloading "/Reports/q4.pdf" [EACCESS -11, command g]"). Never put a link URL here:
 * it carries the key.
 */
const CLIENT_OPERATIONS: OperationTable = {
	info: (c, ref) => read(`looking up ${c.describeRef(ref)}`),
	list: (c, ref) => read(`listing ${c.describeRef(ref)}`),
	listRubbishBin: () => read('listing the rubbish bin'),
	search: () => read('searching'),
	versions: (c, ref) => read(`listing the versions of ${c.describeRef(ref)}`),
	quota: () => read('reading the account quota'),
	account: () => read('reading the account details'),
	changes: () => read('reading the change feed'),
	mkdir: (_c, path) => change(`creating the folder "${path}"`),
	rename: (c, ref, name) => change(`renaming ${c.describeRef(ref)} to "${name}"`),
	setAttributes: (c, ref) => change(`changing the attributes of ${c.describeRef(ref)}`),
	move: (c, ref, target) => change(`moving ${c.describeRef(ref)} to ${c.describeRef(target)}`),
	copy: (c, ref, target) => change(`copying ${c.describeRef(ref)} to ${c.describeRef(target)}`),
	trash: (c, ref) => change(`moving ${c.describeRef(ref)} to the rubbish bin`),
	restore: (c, ref) => change(`restoring ${c.describeRef(ref)} from the rubbish bin`),
	delete: (c, ref) => change(`deleting ${c.describeRef(ref)}`),
	emptyRubbishBin: () => change('emptying the rubbish bin'),
	deleteVersions: (c, ref) => change(`deleting the old versions of ${c.describeRef(ref)}`),
	createLink: (c, ref) => change(`creating a link to ${c.describeRef(ref)}`),
	removeLink: (c, ref) => change(`removing the link to ${c.describeRef(ref)}`),
	importLink: (c, _url, target) => change(`importing a link into ${c.describeRef(target)}`),
	upload: (c, options) => ({ kind: 'upload', text: `uploading "${options.name}" into ${c.describeRef(options.parent)}` }),
	download: (c, ref) => ({ kind: 'download', text: `downloading ${c.describeRef(ref)}` }),
};

for (const [method, describe] of Object.entries(CLIENT_OPERATIONS) as Array<[string, DescribeOperation]>) {
	const prototype = MegaClient.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
	const original = prototype[method];
	prototype[method] = function (this: MegaClient, ...args: unknown[]) {
		return runOperation(() => describe(this, ...args), () => original.apply(this, args));
	};
}

function linkKeyMismatch(): MegaLinkError {
	return new MegaLinkError('The link key does not match this file (wrong or altered key)', 'ELINKKEY', 'Copy the whole link again, including the part after #.');
}

function decryptLinkAttributes(at: string | undefined, key: Buffer): Record<string, unknown> {
	if (typeof at !== 'string') throw new MegaProtocolError('MEGA returned no attributes for the link');
	try {
		return decryptAttributes(base64urlDecode(at), key);
	} catch {
		throw linkKeyMismatch();
	}
}

export interface PublicAccessOptions {
	gateway?: string;
	password?: string;
	retry?: Partial<RetryPolicy>;
	signal?: AbortSignal;
}

function publicTransport(options: PublicAccessOptions): MegaApiTransport {
	return new MegaApiTransport({ gateway: options.gateway, retry: options.retry });
}

function linkNotFound(error: unknown): unknown {
	if (error instanceof MegaApiError && (error.errno === -9 || error.errno === -2)) {
		return new MegaNotFoundError('The MEGA link does not exist (removed or mistyped)', 'Ask the owner for a current link.');
	}
	return error;
}

/** Name and size of a public file link, without logging in. */
export async function publicFileInfo(url: string, options: PublicAccessOptions = {}): Promise<{ handle: string; name: string; size: number; attributes: Record<string, unknown> }> {
	return runOperation({ kind: 'public', text: 'reading a public file link' }, () => publicFileInfoNow(url, options));
}

async function publicFileInfoNow(url: string, options: PublicAccessOptions): Promise<{ handle: string; name: string; size: number; attributes: Record<string, unknown> }> {
	const link = await resolveMegaLink(url, options.password);
	if (link.kind !== 'file') throw new MegaLinkError('This is a folder link; use listPublicFolder', 'ELINK');
	let info: { s?: number; at?: string };
	try {
		info = await publicTransport(options).request({ a: 'g', p: link.handle }, { signal: options.signal, noSession: true });
	} catch (error) {
		throw linkNotFound(error);
	}
	const attributes = decryptLinkAttributes(info.at, link.key);
	return { handle: link.handle, name: typeof attributes.n === 'string' ? attributes.n : '', size: info.s ?? 0, attributes };
}

export interface PublicFolder {
	link: ParsedMegaLink & { key: Buffer };
	tree: MegaTree;
	root: MegaNode;
	/** The transport with `n=<folder handle>` set: pass it to transfer functions for files inside the folder. */
	api: MegaApiTransport;
}

/** Opens a public folder link without logging in: its whole tree, decrypted with the link key. */
export async function openPublicFolder(url: string, options: PublicAccessOptions = {}): Promise<PublicFolder> {
	return runOperation({ kind: 'public', text: 'opening a public folder link' }, () => openPublicFolderNow(url, options));
}

async function openPublicFolderNow(url: string, options: PublicAccessOptions): Promise<PublicFolder> {
	const link = await resolveMegaLink(url, options.password);
	if (link.kind !== 'folder') throw new MegaLinkError('This is a file link; use publicFileInfo', 'ELINK');
	const api = new MegaApiTransport({ gateway: options.gateway, retry: options.retry, query: { n: link.handle } });
	const live = new LiveMegaTree(api, { folderLinkKey: link.key, folderLinkHandle: link.handle }, { noSession: true });
	let tree: MegaTree;
	try {
		tree = await live.ensureLoaded(options.signal);
	} catch (error) {
		throw linkNotFound(error);
	}
	const rootEntry = tree.get(tree.rootHandle);
	if (!rootEntry) throw new MegaNotFoundError('The public folder is empty or gone');
	if (tree.attributesOf(rootEntry) === null) {
		throw new MegaLinkError('The link key does not match this folder (wrong or altered key)', 'ELINKKEY', 'Copy the whole link again, including the part after #.');
	}
	return { link, tree, root: tree.toNode(rootEntry), api };
}

/** Lists a public folder link without logging in (the folder's children, or everything with `recursive`). */
export async function listPublicFolder(url: string, options: PublicAccessOptions & { recursive?: boolean } = {}): Promise<MegaNode[]> {
	return runOperation({ kind: 'public', text: 'listing a public folder link' }, () => listPublicFolderNow(url, options));
}

async function listPublicFolderNow(url: string, options: PublicAccessOptions & { recursive?: boolean }): Promise<MegaNode[]> {
	const folder = await openPublicFolder(url, options);
	const { tree, link } = folder;
	let start = tree.rootHandle;
	if (link.childHandle) {
		const child = tree.get(link.childHandle);
		if (!child) throw new MegaNotFoundError('The item named in the link is not in the shared folder');
		if (child.t === 0) return [tree.toNode(child)];
		start = child.h;
	}
	const entries = options.recursive ? tree.descendants(start) : tree.listChildren(start);
	await tree.prepareNames(entries, options.signal);
	return entries.map((entry) => tree.toNode(entry));
}

/** Downloads a file from a public file link or from inside a public folder link, without logging in. */
export async function openPublicDownload(
	url: string,
	options: PublicAccessOptions & Omit<DownloadOptions, 'source' | 'key'> & { childHandle?: string } = {},
): Promise<MegaDownloadStream> {
	return runOperation({ kind: 'public', text: 'downloading from a public link' }, () => openPublicDownloadNow(url, options));
}

async function openPublicDownloadNow(
	url: string,
	options: PublicAccessOptions & Omit<DownloadOptions, 'source' | 'key'> & { childHandle?: string },
): Promise<MegaDownloadStream> {
	const link = await resolveMegaLink(url, options.password);
	const { gateway, password: _password, retry, childHandle, ...downloadOptions } = options;
	if (link.kind === 'file') {
		// openDownload's one `g` decrypts the attributes before any bytes move: a wrong key fails there.
		try {
			return await openDownload(publicTransport({ gateway, retry }), { ...downloadOptions, source: { publicHandle: link.handle }, key: link.key });
		} catch (error) {
			throw error instanceof AttributeDecryptError ? linkKeyMismatch() : linkNotFound(error);
		}
	}
	const folder = await openPublicFolder(url, options);
	const target = childHandle ?? link.childHandle;
	const entry = target ? folder.tree.get(target) : undefined;
	if (!entry || entry.t !== 0) throw new MegaNotFoundError('Name a file inside the folder link to download');
	const key = folder.tree.keyOf(entry);
	if (!key) throw new MegaLinkError('The link key does not open this file', 'ELINKKEY');
	return openDownload(folder.api, { ...downloadOptions, source: { handle: entry.h, folderHandle: link.handle }, key });
}

export function forgetLiveTrees(): void {
	liveTrees.clear();
}
