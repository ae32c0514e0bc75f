import { randomBytes } from 'node:crypto';
import {
	AesEcb,
	createSaltV2,
	createSessionId,
	ctrAt,
	decryptAttributes,
	decryptKey,
	deriveKeyV1Async,
	deriveKeyV2Async,
	encodePublicKey,
	encryptAttributes,
	encryptKey,
	fingerprint,
	generateRsaKeyPair,
	hashAuthKeyV2,
	metaMac,
	packNodeKey,
	publicKeyOf,
	unpackNodeKey,
	userHashV1,
	wrapPrivateKey,
} from '../../core/mega/crypto';
import type { MegaSandboxServer } from './server';
import type { SessionRecord } from './store';
import { FILE, FOLDER, GiB, TiB } from './store';
import { randomTotpSecret } from './totp';
import type { CreateAccountOptions, SandboxAccount, SandboxAccountInfo, SandboxClient, SandboxListEntry } from './types';
import { b64, randomToken, SandboxHttpError, unb64 } from './util';

/** A command that came back with a MEGA error code while the provisioning client ran it. */
export class SandboxClientError extends Error {
	constructor(
		readonly command: string,
		readonly code: number,
	) {
		super(`sandbox client: '${command}' failed with MEGA error ${code}`);
		this.name = 'SandboxClientError';
	}
}

export const SEED_ACCOUNTS = {
	demo: { email: 'demo@sandbox.local', password: 'demo-password-1', version: 2 as const },
	legacy: { email: 'legacy@sandbox.local', password: 'legacy-password-1', version: 1 as const },
	twoFactor: { email: 'twofactor@sandbox.local', password: 'twofactor-password-1', version: 2 as const },
};

/**
 * The provisioning helper plays the client's part, outside request handling: it derives password keys, makes master
 * keys and RSA key pairs, and encrypts names and file bodies. The server store only ever receives what a real client
 * would send (wrapped keys, encrypted attributes, ciphertext); the secrets stay in this object.
 */
export class Provisioner {
	private readonly secrets = new Map<string, SandboxAccount>();

	constructor(private readonly server: MegaSandboxServer) {}

	accountInfos(): SandboxAccountInfo[] {
		return [...this.secrets.values()].map(({ email, password, version, totpSecret }) => (totpSecret ? { email, password, version, totpSecret } : { email, password, version }));
	}

	async createAccount(options: CreateAccountOptions): Promise<SandboxAccount> {
		const email = typeof options.email === 'string' ? options.email.trim().toLowerCase() : '';
		if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new SandboxHttpError(400, 'createAccount needs a valid email');
		if (typeof options.password !== 'string' || options.password.length === 0) throw new SandboxHttpError(400, 'createAccount needs a password');
		const version = options.version ?? 2;
		if (version !== 1 && version !== 2) throw new SandboxHttpError(400, 'version must be 1 or 2');
		const state = this.server.state;
		if (state.store.accountByEmail(email)) throw new SandboxHttpError(409, `account ${email} exists already`);

		const masterKey = randomBytes(16);
		let passwordKey: Buffer;
		let login: { userHashV1?: string; saltV2?: string; hak?: Buffer };
		if (version === 1) {
			passwordKey = await deriveKeyV1Async(options.password);
			login = { userHashV1: userHashV1(email, passwordKey) };
		} else {
			const salt = createSaltV2();
			const derived = await deriveKeyV2Async(options.password, salt);
			passwordKey = derived.passwordKey;
			login = { saltV2: b64(salt), hak: hashAuthKeyV2(derived.userHash) };
		}
		const rsa = await generateRsaKeyPair();
		if (state.store.accountByEmail(email)) throw new SandboxHttpError(409, `account ${email} exists already`);
		const record = state.store.addAccount({
			email,
			version,
			...login,
			k: b64(encryptKey(passwordKey, masterKey)),
			privk: b64(wrapPrivateKey(masterKey, rsa)),
			pubk: b64(encodePublicKey(publicKeyOf(rsa))),
			ephemeral: false,
			totpSecret: options.totpSecret,
			name: options.name ?? email.split('@')[0],
			storageMax: options.storageBytes ?? 20 * GiB,
			transferMax: options.transferBytes ?? 10 * TiB,
			transferQuotaFixed: options.transferBytes !== undefined,
			fileVersioning: options.fileVersioning ?? true,
			transferResetSeconds: 3600,
		});
		state.feed.open(record.userHandle);
		const account: SandboxAccount = {
			email,
			password: options.password,
			version,
			userHandle: record.userHandle,
			rootHandle: record.rootHandle,
			inboxHandle: record.inboxHandle,
			rubbishHandle: record.rubbishHandle,
			masterKey,
		};
		if (options.totpSecret) account.totpSecret = options.totpSecret;
		this.secrets.set(email, account);
		return account;
	}

	client(email: string): SandboxClient {
		const account = this.secrets.get(email.trim().toLowerCase());
		if (!account) throw new SandboxHttpError(404, `no provisioned account ${email}`);
		return new ProvisionedClient(this.server, account);
	}

	/** Demo accounts for `--seed`: a v2 account with folders and files, a v1 account, a 2FA account. */
	async seed(): Promise<void> {
		await this.createAccount({ ...SEED_ACCOUNTS.demo, name: 'Demo User' });
		await this.createAccount({ ...SEED_ACCOUNTS.legacy, name: 'Legacy User' });
		await this.createAccount({ ...SEED_ACCOUNTS.twoFactor, name: 'Two Factor', totpSecret: randomTotpSecret() });
		const demo = this.client(SEED_ACCOUNTS.demo.email);
		const documents = await demo.mkdir('Documents');
		const reports = await demo.mkdir('Reports', documents);
		const photos = await demo.mkdir('Photos');
		const mtime = Math.floor(Date.UTC(2026, 0, 15, 9, 30) / 1000);
		await demo.upload('hello.txt', Buffer.from('Hello from the MEGA sandbox!\n'), undefined, { mtime });
		await demo.upload('readme.md', Buffer.from('# Documents\n\nFiles the demo workflows read and write.\n'), documents, { mtime });
		await demo.upload('q1.csv', Buffer.from('month,revenue\njanuary,1200\nfebruary,1350\nmarch,1500\n'), reports, { mtime });
		await demo.upload('pixels.bin', randomBytes(200_000), photos, { mtime });
	}
}

/**
 * Share keys the provisioning clients know without the server: a stand-in for the `^!keys` user attribute where MEGA's
 * apps keep them (they send the server only a dummy zero `ok`/`ha`). Client-side knowledge, like the master key.
 */
const appShareKeys = new WeakMap<SandboxAccount, Map<string, Buffer>>();

/** All-zero `ok` and `ha` (16 bytes each), what MEGA's SDK and web client send since the `^!keys` key manager. */
const DUMMY_OWNER_KEY = b64(Buffer.alloc(16));

/** "Another client" of an account: real commands through the server's handlers, crypto done on this side. */
class ProvisionedClient implements SandboxClient {
	private readonly session: SessionRecord;
	private readonly master: AesEcb;

	constructor(
		private readonly server: MegaSandboxServer,
		readonly account: SandboxAccount,
	) {
		this.session = server.state.store.createSession(account.userHandle, createSessionId(account.userHandle), true);
		this.master = new AesEcb(account.masterKey);
	}

	private async call<T = unknown>(cmd: Record<string, unknown>): Promise<T> {
		const ctx = { state: this.server.state, session: this.session, query: new URLSearchParams() };
		const [result] = await this.server.execute([cmd], ctx, false);
		if (typeof result === 'number' && result < 0) throw new SandboxClientError(String(cmd.a), result);
		return result as T;
	}

	private requestTag(): string {
		return randomToken(8).slice(0, 10);
	}

	private nodeKey(handle: string): Buffer {
		const node = this.server.state.store.nodes.get(handle);
		const entry = node?.keys.find(([id]) => id === this.account.userHandle);
		if (!node || !entry) throw new SandboxClientError('key', -9);
		return this.master.decrypt(unb64(entry[1]));
	}

	/** `cr` for new or moved nodes under exported folders: each node key wrapped with each share key. */
	private cryptoRequest(parent: string, nodes: Array<{ listed: string; key: Buffer }>): unknown[] | undefined {
		const store = this.server.state.store;
		const shares: string[] = [];
		const shareKeys: Buffer[] = [];
		for (const handle of store.ancestry(parent)) {
			const share = store.shares.get(handle);
			if (!share || share.owner !== this.account.userHandle) continue;
			const key = this.shareKey(handle, share.ok, share.ha);
			if (!key) continue;
			shares.push(handle);
			shareKeys.push(key);
		}
		if (shares.length === 0) return undefined;
		const triples: unknown[] = [];
		shareKeys.forEach((shareKey, si) => nodes.forEach((node, ni) => triples.push(si, ni, b64(encryptKey(shareKey, node.key)))));
		return [shares, nodes.map((n) => n.listed), triples];
	}

	/** The share key of an own shared folder: from the app key store, else from an `ok` whose `ha` verifies. */
	private shareKey(handle: string, ok: string | undefined, ha: string | undefined): Buffer | undefined {
		const known = appShareKeys.get(this.account)?.get(handle);
		if (known) return known;
		if (!ok || !ha || !unb64(ha).equals(this.master.encrypt(Buffer.from(handle + handle, 'ascii')))) return undefined;
		return decryptKey(this.account.masterKey, unb64(ok));
	}

	/**
	 * Exports a folder and makes its link. `ownerKey: 'dummy'` (the default) does it the way MEGA's apps do today:
	 * `s2` with an all-zero `ok`/`ha`, the real share key kept client-side (`^!keys`); `'real'` sends the wrapped key
	 * and its `ha` as megajs does. Either way the `cr` keys make the subtree readable through the link.
	 */
	async exportFolder(handle: string, opts: { ownerKey?: 'dummy' | 'real' } = {}): Promise<{ publicHandle: string; url: string }> {
		const store = this.server.state.store;
		const folder = store.nodes.get(handle);
		if (!folder || folder.t !== FOLDER) throw new SandboxClientError('s2', -9);
		const existing = store.shares.get(handle);
		const shareKey = (existing && this.shareKey(handle, existing.ok, existing.ha)) ?? randomBytes(16);
		const nodes = store.subtree(handle).map((node) => ({ listed: node.h, key: this.nodeKey(node.h) }));
		const triples: unknown[] = [];
		nodes.forEach((node, index) => triples.push(0, index, b64(encryptKey(shareKey, node.key))));
		const dummy = (opts.ownerKey ?? 'dummy') === 'dummy';
		const ok = dummy ? DUMMY_OWNER_KEY : b64(this.master.encrypt(shareKey));
		const ha = dummy ? DUMMY_OWNER_KEY : b64(this.master.encrypt(Buffer.from(handle + handle, 'ascii')));
		const reply = await this.call<unknown>({ a: 's2', n: handle, s: [{ u: 'EXP', r: 0 }], ok, ha, cr: [[handle], nodes.map((node) => node.listed), triples], i: this.requestTag() });
		if (reply !== 0) throw new SandboxClientError('s2 (already shared under another key)', -14);
		let keys = appShareKeys.get(this.account);
		if (!keys) appShareKeys.set(this.account, (keys = new Map()));
		keys.set(handle, shareKey);
		const publicHandle = await this.call<string>({ a: 'l', n: handle, i: this.requestTag() });
		return { publicHandle, url: `https://mega.nz/folder/${publicHandle}#${b64(shareKey)}` };
	}

	async mkdir(name: string, parent = this.account.rootHandle): Promise<string> {
		const key = randomBytes(16);
		const cmd: Record<string, unknown> = { a: 'p', t: parent, n: [{ h: 'xxxxxxxx', t: FOLDER, a: b64(encryptAttributes({ n: name }, key)), k: b64(this.master.encrypt(key)) }], i: this.requestTag() };
		const cr = this.cryptoRequest(parent, [{ listed: 'xxxxxxxx', key }]);
		if (cr) cmd.cr = cr;
		const reply = await this.call<{ f: Array<{ h: string }> }>(cmd);
		return reply.f[0].h;
	}

	/** `opts.replaces`: the handle of a file this upload becomes the new version of (`ov`, as MEGA's clients send it). */
	async upload(name: string, data: Buffer, parent = this.account.rootHandle, opts: { mtime?: number; replaces?: string } = {}): Promise<string> {
		const key = randomBytes(16);
		const nonce = randomBytes(8);
		const nodeKey = packNodeKey(key, nonce, metaMac(key, nonce, data));
		await this.call({ a: 'u', s: data.length, ssl: 0, v: 2 });
		const token = await this.server.state.transfers.storeCiphertext(this.account.userHandle, ctrAt(key, nonce, 0, data));
		const mtime = opts.mtime ?? Math.floor(Date.now() / 1000);
		const attributes = encryptAttributes({ n: name, c: fingerprint(data, mtime) }, nodeKey);
		const entry: Record<string, unknown> = { h: token, t: FILE, a: b64(attributes), k: b64(this.master.encrypt(nodeKey)) };
		if (opts.replaces) entry.ov = opts.replaces;
		const cmd: Record<string, unknown> = { a: 'p', t: parent, n: [entry], i: this.requestTag() };
		const cr = this.cryptoRequest(parent, [{ listed: token, key: nodeKey }]);
		if (cr) cmd.cr = cr;
		const reply = await this.call<{ f: Array<{ h: string }> }>(cmd);
		return reply.f[0].h;
	}

	async rename(handle: string, newName: string): Promise<void> {
		const node = this.server.state.store.nodes.get(handle);
		if (!node) throw new SandboxClientError('a', -9);
		const key = this.nodeKey(handle);
		const attributes = decryptAttributes(unb64(node.a), key);
		attributes.n = newName;
		await this.call({ a: 'a', n: handle, at: b64(encryptAttributes(attributes, key)), i: this.requestTag() });
	}

	async move(handle: string, target: string): Promise<void> {
		const cmd: Record<string, unknown> = { a: 'm', n: handle, t: target, i: this.requestTag() };
		const moved = this.server.state.store.subtree(handle).map((node) => ({ listed: node.h, key: this.nodeKey(node.h) }));
		const cr = this.cryptoRequest(target, moved);
		if (cr) cmd.cr = cr;
		await this.call(cmd);
	}

	async remove(handle: string): Promise<void> {
		await this.call({ a: 'd', n: handle, i: this.requestTag() });
	}

	async list(): Promise<SandboxListEntry[]> {
		const reply = await this.call<{ f: Array<{ h: string; p: string; t: number; a: string; s?: number; k?: string }> }>({ a: 'f', c: 1 });
		return reply.f.map((node) => {
			let name = '';
			if (node.t === FILE || node.t === FOLDER) {
				try {
					name = String(decryptAttributes(unb64(node.a), this.nodeKey(node.h)).n ?? '');
				} catch {
					name = '';
				}
			} else name = node.t === 2 ? 'Cloud Drive' : node.t === 3 ? 'Inbox' : 'Rubbish Bin';
			return { handle: node.h, parent: node.p, type: node.t, name, size: node.s ?? 0 };
		});
	}

	async download(handle: string): Promise<Buffer> {
		await this.call({ a: 'g', g: 1, ssl: 0, n: handle });
		const node = this.server.state.store.nodes.get(handle);
		if (!node?.blobId) throw new SandboxClientError('g', -9);
		const size = node.s ?? 0;
		const parts: Buffer[] = [];
		if (size > 0) for await (const chunk of this.server.state.blobs.read(node.blobId, 0, size - 1)) parts.push(chunk as Buffer);
		const { key, nonce, metaMac: expected } = unpackNodeKey(this.nodeKey(handle));
		const plain = ctrAt(key, nonce, 0, Buffer.concat(parts));
		if (!metaMac(key, nonce, plain).equals(expected)) throw new SandboxClientError('g (MAC mismatch)', -14);
		return plain;
	}

	async populate(opts: { folders: number; filesPerFolder: number; parent?: string }): Promise<number> {
		const parent = opts.parent ?? this.account.rootHandle;
		const fileCount = opts.folders * opts.filesPerFolder;
		const tokens = this.server.state.transfers.emptyCompletions(this.account.userHandle, fileCount);
		const emptyMac = Buffer.alloc(8);
		const n: Array<Record<string, unknown>> = [];
		let made = 0;
		for (let folder = 0; folder < opts.folders; folder++) {
			const folderKey = randomBytes(16);
			const temp = `tmp${folder}`;
			n.push({ h: temp, t: FOLDER, a: b64(encryptAttributes({ n: `folder-${folder}` }, folderKey)), k: b64(this.master.encrypt(folderKey)) });
			for (let file = 0; file < opts.filesPerFolder; file++) {
				const nodeKey = packNodeKey(randomBytes(16), randomBytes(8), emptyMac);
				n.push({ h: tokens[made++], p: temp, t: FILE, a: b64(encryptAttributes({ n: `file-${folder}-${file}.txt` }, nodeKey)), k: b64(this.master.encrypt(nodeKey)) });
			}
		}
		const reply = await this.call<{ f: unknown[] }>({ a: 'p', t: parent, n, i: this.requestTag() });
		return reply.f.length;
	}
}
