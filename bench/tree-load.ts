/**
 * tree.load.100k: loading a 100,000-node account tree (1 `f` request + parse + index + key unwrap), until a path
 * resolves and a folder lists, ours vs megajs (which decrypts every node eagerly on `reload`).
 * The sandbox runs in a child process (`--serve` mode of this file) so its JSON work does not land on our event loop.
 * Extra fields: `allNamesMs` = the same load plus decrypting every name (what megajs always does; a whole-tree search
 * pays it once), `nodes`.
 *
 * tree.decrypt.100k: full-tree decryption alone, from an `f` reply already received and parsed: index + every node key
 * unwrapped + every name decrypted (what a whole-account search or recursive listing adds to a load). `ours` in ms;
 * extra `namesMs` = the name part alone; `megajs` = megajs's `reload` (fetch included: it decrypts everything there).
 * `benchTree()` returns both results from one sandbox; `benchTreeLoad()` / `benchTreeDecrypt()` one each.
 */
import { Storage } from 'megajs';

import { MegaApiTransport } from '../core/mega/api/transport';
import { login } from '../core/mega/session';
import { stopNameWorkers } from '../core/mega/name-workers';
import { LiveMegaTree, MegaTree, type FetchReply } from '../core/mega/tree';
import { serveInChild, serveUntilStdinEnds } from './serve-child';

export interface ServedSandbox {
	gateway: string;
	email: string;
	password: string;
	close(): Promise<void>;
}

interface ServeOptions {
	folders?: number;
	filesPerFolder?: number;
	hashcash?: { commands: string[]; easiness: number };
}

/** Starts a sandbox in a child process with one v2 account (optionally populated); resolves with its gateway. */
export async function serveSandbox(options: ServeOptions): Promise<ServedSandbox> {
	return serveInChild<Omit<ServedSandbox, 'close'>>(__filename, JSON.stringify(options), 'bench sandbox');
}

async function serveMain(options: ServeOptions): Promise<void> {
	const { startMegaSandbox } = await import('../sandbox/mega');
	const sandbox = await startMegaSandbox({ port: 0, hashcash: options.hashcash ?? null });
	const email = 'bench@sandbox.local';
	const password = 'bench password';
	await sandbox.createAccount({ email, password, version: 2 });
	if (options.folders) {
		await sandbox.client(email).populate({ folders: options.folders, filesPerFolder: options.filesPerFolder ?? 0 });
	}
	serveUntilStdinEnds(sandbox, { gateway: sandbox.gateway, email, password });
}

function best(values: number[]): number {
	return Math.round(Math.min(...values) * 10) / 10;
}

export interface TreeLoadResult {
	name: 'tree.load.100k';
	unit: 'ms';
	ours: number;
	megajs?: number;
	allNamesMs: number;
	nodes: number;
	node: string;
}

export interface TreeDecryptResult {
	name: 'tree.decrypt.100k';
	unit: 'ms';
	ours: number;
	megajs?: number;
	namesMs: number;
	nodes: number;
	node: string;
}

/** Both tree results from one sandbox (the 100k-node account takes a while to build). */
export async function benchTree(options: { runs?: number } = {}): Promise<[TreeLoadResult, TreeDecryptResult]> {
	const runs = options.runs ?? 3;
	const served = await serveSandbox({ folders: 100, filesPerFolder: 999 });
	try {
		const api = new MegaApiTransport({ gateway: served.gateway });
		const session = await login(api, { kind: 'password', email: served.email, password: served.password });
		const ours: number[] = [];
		const allNames: number[] = [];
		let nodes = 0;
		for (let run = 0; run < runs; run++) {
			const started = performance.now();
			const live = new LiveMegaTree(api, { masterKey: session.masterKey, userHandle: session.userHandle });
			const tree = await live.ensureLoaded();
			const file = tree.resolvePath('/folder-50/file-50-500.txt');
			const listing = tree.listChildren(tree.resolvePath('/folder-99').h).map((entry) => tree.toNode(entry));
			ours.push(performance.now() - started);
			if (!file || listing.length !== 999) throw new Error('tree bench: unexpected tree');
			nodes = tree.nodes.size;
			// What a whole-tree search does: every name (see tree.prepareNames).
			await tree.prepareNames(tree.nodes.values());
			let named = 0;
			for (const entry of tree.nodes.values()) if (tree.nameOf(entry) !== '') named += 1;
			allNames.push(performance.now() - started);
			if (named !== nodes) throw new Error(`tree bench: ${nodes - named} names did not decrypt`);
		}

		// Decryption alone: the same `f` reply, already parsed, indexed and decrypted from scratch each run.
		const reply = await api.request<FetchReply>({ a: 'f', c: 1 });
		const decrypt: number[] = [];
		const names: number[] = [];
		for (let run = 0; run < runs + 2; run++) {
			const started = performance.now();
			const tree = new MegaTree({ masterKey: session.masterKey, userHandle: session.userHandle });
			tree.load(reply);
			let keys = 0;
			for (const entry of tree.nodes.values()) if (tree.keyOf(entry)) keys += 1;
			const namesStarted = performance.now();
			await tree.prepareNames(tree.nodes.values());
			const finished = performance.now();
			let named = 0;
			for (const entry of tree.nodes.values()) if (tree.nameOf(entry) !== '') named += 1;
			if (named !== nodes || keys !== nodes - 3) throw new Error(`tree bench: ${nodes - named} names / ${nodes - 3 - keys} keys did not decrypt`);
			decrypt.push(finished - started);
			names.push(finished - namesStarted);
		}

		const megajs: number[] = [];
		for (let run = 0; run < runs; run++) {
			// A fresh Storage per run: megajs's reload() skips nodes it has already imported.
			const storage = new Storage({ email: served.email, password: served.password, gateway: served.gateway, autoload: false, keepalive: false });
			storage.api.on('error', () => undefined);
			await storage.ready;
			const started = performance.now();
			await storage.reload(true);
			megajs.push(performance.now() - started);
			if (Object.keys(storage.files).length !== nodes) throw new Error('tree bench: megajs loaded a different tree');
			await storage.close().catch(() => undefined);
		}
		return [
			{ name: 'tree.load.100k', unit: 'ms', ours: best(ours), megajs: best(megajs), allNamesMs: best(allNames), nodes, node: process.version },
			{ name: 'tree.decrypt.100k', unit: 'ms', ours: best(decrypt), megajs: best(megajs), namesMs: best(names), nodes, node: process.version },
		];
	} finally {
		stopNameWorkers();
		await served.close();
	}
}

export async function benchTreeLoad(options: { runs?: number } = {}): Promise<TreeLoadResult> {
	return (await benchTree(options))[0];
}

export async function benchTreeDecrypt(options: { runs?: number } = {}): Promise<TreeDecryptResult> {
	return (await benchTree(options))[1];
}

if (require.main === module) {
	const serveIndex = process.argv.indexOf('--serve');
	if (serveIndex >= 0) {
		void serveMain(JSON.parse(process.argv[serveIndex + 1] ?? '{}') as ServeOptions);
	} else {
		benchTree().then(
			(results) => process.stdout.write(`${results.map((result) => JSON.stringify(result)).join('\n')}\n`),
			(error: unknown) => {
				process.stderr.write(`${String(error)}\n`);
				process.exit(1);
			},
		);
	}
}
