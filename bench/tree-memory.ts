/**
 * tree.load.300k / tree.load.1m: what loading a big account costs in memory, as a user meets it — login + `f` + one
 * path resolved and one folder listed — each run in a fresh child process (`test/support/run-in-child.ts`) against a
 * sandbox in its own process, after one untimed load (best of `runs` for time, worst for memory). `ours` / `megajs` =
 * ms from the `f` request to ready; `peakRssMiB` = peak RSS growth of the child (login included); `retainedRssMiB` =
 * RSS growth still held after load with the tree alive and two full garbage collections and a 0.5 s pause
 * (`retainedHeapMiB`: the V8 heap + external part of it). megajs's figures are `megajsPeakRssMiB` /
 * `megajsRetainedRssMiB`.
 */
import { join } from 'node:path';

import { runInChild, type MemoryProbe } from '../test/support/run-in-child';
import { serveSandbox } from './tree-load';

interface Account {
	gateway: string;
	email: string;
	password: string;
	folders: number;
}

interface ChildFigures {
	readyMs: number;
	nodes: number;
	retainedBytes: number;
	retainedHeapBytes: number;
}

const MiB = 2 ** 20;
/** Keeps the loaded tree alive while retained memory is read. */
const kept: unknown[] = [];

/** Two full collections, then a pause so V8's background threads can hand freed pages back to the system. */
async function settle(probe: MemoryProbe): Promise<{ rss: number; heap: number }> {
	probe.gc();
	probe.gc();
	await new Promise((resolve) => setTimeout(resolve, 500));
	probe.gc();
	const usage = process.memoryUsage();
	return { rss: usage.rss, heap: usage.heapUsed + usage.external };
}

/** Child side: our client. */
export async function loadOurs(account: Account, probe: MemoryProbe): Promise<ChildFigures> {
	const { MegaApiTransport } = await import('../core/mega/api/transport');
	const { login } = await import('../core/mega/session');
	const { LiveMegaTree } = await import('../core/mega/tree');
	const before = await settle(probe);
	const api = new MegaApiTransport({ gateway: account.gateway });
	const session = await login(api, { kind: 'password', email: account.email, password: account.password });
	const started = performance.now();
	const live = new LiveMegaTree(api, { masterKey: session.masterKey, userHandle: session.userHandle });
	const tree = await live.ensureLoaded();
	const last = account.folders - 1;
	const file = tree.resolvePath(`/folder-${last}/file-${last}-500.txt`);
	const listing = tree.listChildren(tree.resolvePath(`/folder-${last}`).h).map((entry) => tree.toNode(entry));
	const readyMs = performance.now() - started;
	if (!file || listing.length !== 999) throw new Error('tree memory bench: unexpected tree');
	kept.push(live);
	probe.sample();
	const after = await settle(probe);
	return { readyMs, nodes: tree.nodes.size, retainedBytes: after.rss - before.rss, retainedHeapBytes: after.heap - before.heap };
}

/** Child side: megajs (decrypts every node on load). */
export async function loadMegajs(account: Account, probe: MemoryProbe): Promise<ChildFigures> {
	const { Storage } = await import('megajs');
	const before = await settle(probe);
	const storage = new Storage({ email: account.email, password: account.password, gateway: account.gateway, autoload: false, keepalive: false });
	storage.api.on('error', () => undefined);
	await storage.ready;
	const started = performance.now();
	await storage.reload(true);
	const readyMs = performance.now() - started;
	kept.push(storage);
	probe.sample();
	const after = await settle(probe);
	const retainedBytes = after.rss - before.rss;
	const retainedHeapBytes = after.heap - before.heap;
	const nodes = Object.keys(storage.files).length;
	await storage.close().catch(() => undefined);
	return { readyMs, nodes, retainedBytes, retainedHeapBytes };
}

export interface TreeMemoryResult {
	name: string;
	unit: 'ms';
	/** Best ready time of the runs (each in a fresh child). */
	ours: number;
	/** Every run's ready time, in run order. */
	oursRuns: number[];
	/** Highest peak RSS growth of the runs. */
	peakRssMiB: number;
	/** Highest retained RSS growth of the runs. */
	retainedRssMiB: number;
	/** V8 heap + external memory still held (what the tree itself costs; RSS adds allocator slack); highest of the runs. */
	retainedHeapMiB: number;
	megajs?: number;
	megajsRuns?: number[];
	megajsPeakRssMiB?: number;
	megajsRetainedRssMiB?: number;
	nodes: number;
	runs: number;
	node: string;
}

const round = (value: number) => Math.round(value * 10) / 10;

interface Runs {
	readyMs: number[];
	peakRssGrowthBytes: number[];
	retainedBytes: number[];
	retainedHeapBytes: number[];
	nodes: number;
}

const noRuns = (): Runs => ({ readyMs: [], peakRssGrowthBytes: [], retainedBytes: [], retainedHeapBytes: [], nodes: 0 });

async function runOnce(load: 'loadOurs' | 'loadMegajs', account: Account, into: Runs): Promise<void> {
	const run = await runInChild<ChildFigures>(join(__dirname, 'tree-memory.ts'), load, account, { timeoutMs: 600_000 });
	into.readyMs.push(round(run.result.readyMs));
	into.peakRssGrowthBytes.push(run.memory.peakRssGrowthBytes);
	into.retainedBytes.push(run.result.retainedBytes);
	into.retainedHeapBytes.push(run.result.retainedHeapBytes);
	into.nodes = run.result.nodes;
}

const mib = (values: number[]) => round(Math.max(...values) / MiB);

/**
 * One account of `folders` × 1,000 nodes; ours (and then megajs when asked) each in `runs` fresh children, after one
 * untimed load. Time is the best run (the machine's noise only ever adds), memory the worst.
 */
export async function benchTreeMemory(options: { folders: number; name: string; megajs: boolean; runs?: number }): Promise<TreeMemoryResult> {
	const runs = options.runs ?? 5;
	const served = await serveSandbox({ folders: options.folders, filesPerFolder: 999 });
	try {
		const account: Account = { gateway: served.gateway, email: served.email, password: served.password, folders: options.folders };
		const ours = noRuns();
		const theirs = noRuns();
		// One untimed load first, so the sandbox serves warm as a real server does (its first `f` is JIT-cold).
		await runOnce('loadOurs', account, noRuns());
		// Ours first, then megajs: a megajs child (~0.5 GiB) leaves the kernel reclaiming memory as the next one starts.
		for (let run = 0; run < runs; run++) await runOnce('loadOurs', account, ours);
		for (let run = 0; options.megajs && run < runs; run++) await runOnce('loadMegajs', account, theirs);
		const result: TreeMemoryResult = {
			name: options.name,
			unit: 'ms',
			ours: Math.min(...ours.readyMs),
			oursRuns: ours.readyMs,
			peakRssMiB: mib(ours.peakRssGrowthBytes),
			retainedRssMiB: mib(ours.retainedBytes),
			retainedHeapMiB: mib(ours.retainedHeapBytes),
			nodes: ours.nodes,
			runs,
			node: process.version,
		};
		if (options.megajs) {
			if (theirs.nodes !== ours.nodes) throw new Error('tree memory bench: megajs loaded a different tree');
			result.megajs = Math.min(...theirs.readyMs);
			result.megajsRuns = theirs.readyMs;
			result.megajsPeakRssMiB = mib(theirs.peakRssGrowthBytes);
			result.megajsRetainedRssMiB = mib(theirs.retainedBytes);
		}
		return result;
	} finally {
		await served.close();
	}
}

if (require.main === module) {
	const folders = Number(process.argv[2] ?? 300);
	const megajs = process.argv.includes('--megajs');
	const runsArgument = process.argv.find((argument) => argument.startsWith('--runs='));
	const runs = runsArgument ? Number(runsArgument.slice('--runs='.length)) : undefined;
	// The same names as in `npm run bench` (bench/README.md): 1,000 thousand nodes is tree.load.1m.
	benchTreeMemory({ folders, name: folders === 1000 ? 'tree.load.1m' : `tree.load.${folders}k`, megajs, runs }).then(
		(result) => process.stdout.write(`${JSON.stringify(result)}\n`),
		(error: unknown) => {
			process.stderr.write(`${String(error)}\n`);
			process.exit(1);
		},
	);
}
