/**
 * Parallel name decryption for very large trees. Each node's attributes need their own AES-CBC call, and node:crypto's
 * per-call cost (~13 µs on Node 24) makes 100k names take over a second on one thread. Whole-tree work (a search, a
 * recursive listing) therefore spreads the calls over a small pool of worker threads, each running node:crypto.
 * The pool is created on first use, never keeps the process alive, and ends itself when idle.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// Plain JS for `eval: true` workers (no TypeScript loader in the worker). Same format as tree.decryptNodeAttributes.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createDecipheriv } = require('node:crypto');
const ZERO_IV = Buffer.alloc(16);
const PREFIX = Buffer.from('MEGA{"', 'ascii');
parentPort.on('message', ({ id, keys, texts }) => {
	const keyBuffer = Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength);
	const out = new Array(texts.length);
	for (let i = 0; i < texts.length; i++) {
		out[i] = null;
		try {
			const data = Buffer.from(texts[i], 'base64url');
			if (data.length === 0 || data.length % 16 !== 0) continue;
			const decipher = createDecipheriv('aes-128-cbc', keyBuffer.subarray(i * 16, i * 16 + 16), ZERO_IV).setAutoPadding(false);
			const plain = decipher.update(data);
			if (plain.compare(PREFIX, 0, PREFIX.length, 0, PREFIX.length) !== 0) continue;
			let end = plain.indexOf(0);
			if (end < 0) end = plain.length;
			const parsed = JSON.parse(plain.toString('utf8', 4, end));
			if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) out[i] = parsed;
		} catch {
			out[i] = null;
		}
	}
	parentPort.postMessage({ id, out });
});
`;

const IDLE_MS = 10_000;

interface PooledWorker {
	worker: Worker;
	pending: Map<number, { resolve: (out: Array<Record<string, unknown> | null>) => void; reject: (error: Error) => void }>;
}

let pool: PooledWorker[] = [];
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;

function destroyPool(): void {
	const workers = pool;
	pool = [];
	for (const { worker, pending } of workers) {
		for (const waiter of pending.values()) waiter.reject(new Error('name worker stopped'));
		void worker.terminate();
	}
}

function getPool(size: number): PooledWorker[] {
	while (pool.length < size) {
		const worker = new Worker(WORKER_SOURCE, { eval: true });
		worker.unref();
		const entry: PooledWorker = { worker, pending: new Map() };
		worker.on('message', ({ id, out }: { id: number; out: Array<Record<string, unknown> | null> }) => {
			const waiter = entry.pending.get(id);
			entry.pending.delete(id);
			waiter?.resolve(out);
		});
		worker.on('error', (error: Error) => {
			for (const waiter of entry.pending.values()) waiter.reject(error);
			entry.pending.clear();
			pool = pool.filter((item) => item !== entry);
		});
		pool.push(entry);
	}
	if (idleTimer) clearTimeout(idleTimer);
	idleTimer = setTimeout(destroyPool, IDLE_MS);
	idleTimer.unref();
	return pool.slice(0, size);
}

/**
 * How many workers whole-tree decryption uses. Only where it pays: Node 22+ (node:crypto's per-call cost is ~3× Node
 * 20's) with at least 3 cores (the main thread keeps one, and it still prepares keys and receives results). Measured on
 * 2 busy cores, workers were slower than one thread on Node 20 and no faster on Node 24, so they stay off there.
 */
export function nameWorkerCount(): number {
	const cores = availableParallelism();
	const major = Number(process.versions.node.split('.')[0]);
	if (cores < 3 || major < 22) return 0;
	return Math.min(4, cores - 1);
}

/**
 * Decrypts `texts[i]` (base64url attributes) with `aesKeys[i]` (16-byte AES keys, file keys already folded) across the
 * pool. Resolves with the parsed attribute objects (null where a key does not fit).
 */
export async function decryptNamesInWorkers(aesKeys: Buffer[], texts: string[], workers = nameWorkerCount()): Promise<Array<Record<string, unknown> | null>> {
	if (workers < 1 || texts.length === 0) throw new Error('no workers');
	const members = getPool(workers);
	const per = Math.ceil(texts.length / members.length);
	const parts = await Promise.all(
		members.map((member, index) => {
			const start = index * per;
			const end = Math.min(texts.length, start + per);
			if (start >= end) return Promise.resolve([] as Array<Record<string, unknown> | null>);
			const keys = Buffer.concat(aesKeys.slice(start, end));
			const id = nextId++;
			return new Promise<Array<Record<string, unknown> | null>>((resolve, reject) => {
				member.pending.set(id, { resolve, reject });
				member.worker.postMessage({ id, keys, texts: texts.slice(start, end) });
			});
		}),
	);
	return parts.flat();
}

/** Ends the pool now (tests, shutdown). */
export function stopNameWorkers(): void {
	if (idleTimer) clearTimeout(idleTimer);
	idleTimer = undefined;
	destroyPool();
}
