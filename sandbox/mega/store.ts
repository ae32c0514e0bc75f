import { b64, randomNodeHandle, randomUserHandle, nowSeconds } from './util';

/** Node types as MEGA numbers them. */
export const FILE = 0;
export const FOLDER = 1;
export const ROOT = 2;
export const INBOX = 3;
export const RUBBISH = 4;

/**
 * What the server knows about an account. Only ciphertext and public values: the password, the password key and
 * the master key never reach the server (the provisioning helper keeps those on the client side).
 */
export interface AccountRecord {
	userHandle: string;
	email?: string;
	version: 1 | 2;
	/** v1: the stored `uh` the client must present. */
	userHashV1?: string;
	/** v2: salt returned by `us0` and hak = SHA-256(authKey)[0..16]. */
	saltV2?: string;
	hak?: Buffer;
	/** master key ECB-encrypted with the password key (b64). */
	k: string;
	privk?: string;
	pubk?: string;
	/** ephemeral accounts: ssc ‖ ECB(master, ssc), as sent with `up` (b64, 32 bytes). */
	ts?: string;
	ephemeral: boolean;
	totpSecret?: string;
	name: string;
	since: number;
	rootHandle: string;
	inboxHandle: string;
	rubbishHandle: string;
	storageMax: number;
	/**
	 * The transfer limit enforced on downloads. MEGA reports a fixed one (`mxfer` in `uq`) only for accounts that have
	 * one (Pro); a free account's limit is dynamic and unreported: `transferQuotaFixed` says which.
	 */
	transferMax: number;
	transferQuotaFixed: boolean;
	/** The account's file-versioning setting (MEGA: on unless disabled); `p` with `ov` and no `vb` follows it. */
	fileVersioning: boolean;
	transferUsed: number;
	transferResetSeconds: number;
	storageUsed: number;
	/**
	 * Versioned user attributes (`upv`, `up2`; read by `uga` and `ug`): name -> `{av, v}`, `av` as the client sent it
	 * (base64 of what is usually ciphertext), `v` the version the server gave it.
	 */
	userAttributes?: Record<string, UserAttributeRecord>;
}

export interface UserAttributeRecord {
	av: string;
	v: string;
}

export interface NodeRecord {
	h: string;
	p: string;
	u: string;
	t: number;
	a: string;
	/** key entries `[id, b64 key]`: the owner's user handle first, then share handles (folder links). */
	keys: Array<[string, string]>;
	s?: number;
	ts: number;
	fa?: string;
	blobId?: string;
}

export interface SessionRecord {
	sid: string;
	userHandle: string;
	created: number;
	expired: boolean;
	internal: boolean;
}

export interface ShareRecord {
	h: string;
	owner: string;
	u: string;
	r: number;
	ts: number;
	ok?: string;
	ha?: string;
}

export interface PublicLinkRecord {
	ph: string;
	h: string;
	ts: number;
}

/** A node's `f` JSON text and the fields it was made from (see Store.nodeText). */
interface NodeText {
	h: string;
	p: string;
	u: string;
	t: number;
	a: string;
	keyId: string;
	key: string;
	s: number | undefined;
	ts: number;
	fa: string | undefined;
	text: string;
}

export const GiB = 1024 ** 3;
export const TiB = 1024 ** 4;

export class Store {
	readonly accounts = new Map<string, AccountRecord>();
	readonly accountsByEmail = new Map<string, string>();
	readonly nodes = new Map<string, NodeRecord>();
	readonly children = new Map<string, Set<string>>();
	readonly sessions = new Map<string, SessionRecord>();
	readonly shares = new Map<string, ShareRecord>();
	readonly publicLinks = new Map<string, PublicLinkRecord>();
	readonly publicHandleOfNode = new Map<string, string>();
	/**
	 * Each node's `f` JSON text, made when the node is stored (as a server that keeps nodes serialized would) and
	 * checked against the node's fields when read, so an `f` of 300,000 nodes is joined rather than serialized again.
	 */
	private readonly nodeTexts = new WeakMap<NodeRecord, NodeText>();

	constructor(private readonly releaseBlob: (blobId: string) => void) {}

	newUserHandle(): string {
		for (;;) {
			const handle = randomUserHandle();
			if (!this.accounts.has(handle)) return handle;
		}
	}

	newNodeHandle(): string {
		for (;;) {
			const handle = randomNodeHandle();
			if (!this.nodes.has(handle) && !this.publicLinks.has(handle)) return handle;
		}
	}

	addAccount(fields: Omit<AccountRecord, 'userHandle' | 'rootHandle' | 'inboxHandle' | 'rubbishHandle' | 'since' | 'storageUsed' | 'transferUsed'> & { userHandle?: string }): AccountRecord {
		const userHandle = fields.userHandle ?? this.newUserHandle();
		const ts = nowSeconds();
		const roots = [ROOT, INBOX, RUBBISH].map((t) => {
			const node: NodeRecord = { h: this.newNodeHandle(), p: '', u: userHandle, t, a: '', keys: [], ts };
			this.insertNode(node);
			return node.h;
		});
		const account: AccountRecord = {
			...fields,
			userHandle,
			since: ts,
			rootHandle: roots[0],
			inboxHandle: roots[1],
			rubbishHandle: roots[2],
			storageUsed: 0,
			transferUsed: 0,
		};
		this.accounts.set(userHandle, account);
		if (account.email) this.accountsByEmail.set(account.email.toLowerCase(), userHandle);
		return account;
	}

	accountByEmail(email: string): AccountRecord | undefined {
		const handle = this.accountsByEmail.get(email.toLowerCase());
		return handle ? this.accounts.get(handle) : undefined;
	}

	insertNode(node: NodeRecord): void {
		this.nodes.set(node.h, node);
		this.nodeText(node);
		if (node.p) this.childSet(node.p).add(node.h);
		if (node.t === FILE && node.s) {
			const account = this.accounts.get(node.u);
			if (account) account.storageUsed += node.s;
		}
	}

	childSet(parent: string): Set<string> {
		let set = this.children.get(parent);
		if (!set) {
			set = new Set();
			this.children.set(parent, set);
		}
		return set;
	}

	childrenOf(handle: string): NodeRecord[] {
		const set = this.children.get(handle);
		if (!set) return [];
		const out: NodeRecord[] = [];
		for (const h of set) {
			const node = this.nodes.get(h);
			if (node) out.push(node);
		}
		return out;
	}

	/** The node and its descendants, parents before children. */
	subtree(handle: string): NodeRecord[] {
		const root = this.nodes.get(handle);
		if (!root) return [];
		const out: NodeRecord[] = [root];
		for (let i = 0; i < out.length; i++) out.push(...this.childrenOf(out[i].h));
		return out;
	}

	isInSubtree(handle: string, ancestor: string): boolean {
		let current = this.nodes.get(handle);
		while (current) {
			if (current.h === ancestor) return true;
			current = current.p ? this.nodes.get(current.p) : undefined;
		}
		return false;
	}

	/** Handles of the node's ancestors (nearest first), the node itself included. */
	ancestry(handle: string): string[] {
		const out: string[] = [];
		let current = this.nodes.get(handle);
		while (current) {
			out.push(current.h);
			current = current.p ? this.nodes.get(current.p) : undefined;
		}
		return out;
	}

	moveNode(handle: string, newParent: string): void {
		const node = this.nodes.get(handle);
		if (!node) return;
		if (node.p) this.children.get(node.p)?.delete(handle);
		node.p = newParent;
		this.childSet(newParent).add(handle);
	}

	/** Removes the node and its subtree; returns the removed records (parents first). */
	removeSubtree(handle: string): NodeRecord[] {
		const removed = this.subtree(handle);
		const top = removed[0];
		if (!top) return [];
		if (top.p) this.children.get(top.p)?.delete(top.h);
		for (const node of removed) {
			this.nodes.delete(node.h);
			this.children.delete(node.h);
			this.shares.delete(node.h);
			const ph = this.publicHandleOfNode.get(node.h);
			if (ph) {
				this.publicLinks.delete(ph);
				this.publicHandleOfNode.delete(node.h);
			}
			if (node.t === FILE && node.s) {
				const account = this.accounts.get(node.u);
				if (account) account.storageUsed -= node.s;
			}
			if (node.blobId) this.releaseBlob(node.blobId);
		}
		return removed;
	}

	keyString(node: NodeRecord): string {
		return node.keys.map(([id, key]) => `${id}:${key}`).join('/');
	}

	setKey(node: NodeRecord, id: string, key: string): void {
		const existing = node.keys.find((entry) => entry[0] === id);
		if (existing) existing[1] = key;
		else node.keys.push([id, key]);
	}

	/**
	 * Node JSON as `f` and `t` packets carry it. The usual shapes are whole object literals (one hidden class each, no
	 * property added one by one), and a single key entry is not split and joined: an `f` makes one per node.
	 */
	nodeJson(node: NodeRecord, keyFilter?: string): Record<string, unknown> {
		const { h, p, u, t, a, ts, fa } = node;
		if (t !== FILE && t !== FOLDER) return fa ? { h, p, u, t, a, fa, ts } : { h, p, u, t, a, ts };
		const keys = node.keys;
		let k: string;
		if (keys.length === 1 && (!keyFilter || keys[0][0] === keyFilter)) k = `${keys[0][0]}:${keys[0][1]}`;
		else k = (keyFilter ? keys.filter(([id]) => id === keyFilter) : keys).map(([id, key]) => `${id}:${key}`).join('/');
		if (t === FOLDER) return fa ? { h, p, u, t, a, k, fa, ts } : { h, p, u, t, a, k, ts };
		const s = node.s ?? 0;
		return fa ? { h, p, u, t, a, k, s, fa, ts } : { h, p, u, t, a, k, s, ts };
	}

	/** `JSON.stringify(nodeJson(node, keyFilter))`, kept per node while its fields stay the same (see nodeTexts). */
	nodeText(node: NodeRecord, keyFilter?: string): string {
		const keys = node.keys;
		// Several keys or a filter (shares, folder links): rare, made each time.
		if (keyFilter !== undefined || keys.length > 1) return JSON.stringify(this.nodeJson(node, keyFilter));
		const keyId = keys.length === 1 ? keys[0][0] : '';
		const key = keys.length === 1 ? keys[0][1] : '';
		const kept = this.nodeTexts.get(node);
		if (
			kept !== undefined &&
			kept.h === node.h &&
			kept.p === node.p &&
			kept.u === node.u &&
			kept.t === node.t &&
			kept.a === node.a &&
			kept.keyId === keyId &&
			kept.key === key &&
			kept.s === node.s &&
			kept.ts === node.ts &&
			kept.fa === node.fa
		) {
			return kept.text;
		}
		const text = JSON.stringify(this.nodeJson(node));
		this.nodeTexts.set(node, { h: node.h, p: node.p, u: node.u, t: node.t, a: node.a, keyId, key, s: node.s, ts: node.ts, fa: node.fa, text });
		return text;
	}

	/** Every node of an account, roots first, parents before children; old versions separately. */
	accountTree(account: AccountRecord): { current: NodeRecord[]; versions: NodeRecord[] } {
		const versions: NodeRecord[] = [];
		const current = [...this.walkAccountTree(account, versions)];
		return { current, versions };
	}

	/**
	 * accountTree as it walks: yields the current nodes in order and pushes the old versions it meets into `versions`
	 * (complete once the walk is). Breadth first from each root, as `subtree`, reading each parent's children set
	 * directly (no list per parent); a child of a file is an old version of it.
	 */
	*walkAccountTree(account: AccountRecord, versions: NodeRecord[]): Generator<NodeRecord> {
		for (const rootHandle of [account.rootHandle, account.inboxHandle, account.rubbishHandle]) {
			const root = this.nodes.get(rootHandle);
			if (!root) continue;
			const queue: NodeRecord[] = [root];
			yield root;
			for (let i = 0; i < queue.length; i++) {
				const parent = queue[i];
				const children = this.children.get(parent.h);
				if (!children) continue;
				const version = parent.t === FILE;
				for (const h of children) {
					const node = this.nodes.get(h);
					if (!node) continue;
					queue.push(node);
					if (version) versions.push(node);
					else yield node;
				}
			}
		}
	}

	createSession(userHandle: string, sid: Buffer, internal = false): SessionRecord {
		const session: SessionRecord = { sid: b64(sid), userHandle, created: Date.now(), expired: false, internal };
		this.sessions.set(session.sid, session);
		return session;
	}

	nodeCount(userHandle: string): number {
		let count = 0;
		for (const node of this.nodes.values()) if (node.u === userHandle) count++;
		return count;
	}

	/** Everything the server holds, as JSON text (for the zero-knowledge check). Blobs are appended by the caller. */
	serialize(): Record<string, unknown> {
		return {
			accounts: [...this.accounts.values()].map((a) => ({ ...a, hak: a.hak ? b64(a.hak) : undefined })),
			nodes: [...this.nodes.values()],
			sessions: [...this.sessions.values()],
			shares: [...this.shares.values()],
			publicLinks: [...this.publicLinks.values()],
		};
	}
}
