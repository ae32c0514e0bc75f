/**
 * Parallel name decryption for very large trees (a whole-account search, a recursive listing). Each node's attributes
 * need their own AES key schedule (~3 µs per node with the pure-JS path, on any Node version), so on machines with
 * spare cores the work is spread over a small pool of worker threads. Results come back by structured clone, which
 * costs about as much as decrypting on one thread, so one worker never pays; measured on this 2-core machine for 100k
 * names: main thread 0.30–0.37 s; 1 worker 0.48–0.63 s; 2 workers 0.25–0.31 s (Node 20 and 24 alike). With
 * node:crypto inside (before) 2 workers took 0.70 s on Node 24. The pool is created on first use, never keeps the
 * process alive, and ends itself when idle.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// Plain JS for `eval: true` workers (no TypeScript loader in the worker). Same format and algorithm as
// crypto/attributes-fast.ts (noble's key schedule + block function, CBC with a zero IV, in place; `MEGA{` check).
// The worker is given noble's resolved path: an eval'd worker resolves bare names from the process's cwd.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createDecipheriv } = require('node:crypto');
const { endianness } = require('node:os');
const { unsafe } = require(workerData.noblePath);
const ZERO_IV = Buffer.alloc(16);
const LITTLE_ENDIAN = endianness() === 'LE';
const PREFIX = [0x4d, 0x45, 0x47, 0x41, 0x7b, 0x22];
let scratch = Buffer.alloc(1024);
let words = new Uint32Array(scratch.buffer, 0, scratch.length >> 2);
const key = Buffer.alloc(16);
function decryptInPlace(length) {
	if (!LITTLE_ENDIAN) {
		createDecipheriv('aes-128-cbc', key, ZERO_IV).setAutoPadding(false).update(scratch.subarray(0, length)).copy(scratch, 0);
		return;
	}
	const roundKeys = unsafe.expandKeyDecLE(key);
	let p0 = 0, p1 = 0, p2 = 0, p3 = 0;
	for (let i = 0; i < length >> 2; i += 4) {
		const c0 = words[i], c1 = words[i + 1], c2 = words[i + 2], c3 = words[i + 3];
		const plain = unsafe.decrypt(roundKeys, c0, c1, c2, c3);
		words[i] = plain.s0 ^ p0; words[i + 1] = plain.s1 ^ p1; words[i + 2] = plain.s2 ^ p2; words[i + 3] = plain.s3 ^ p3;
		p0 = c0; p1 = c1; p2 = c2; p3 = c3;
	}
	roundKeys.fill(0);
}
parentPort.on('message', ({ id, keys, texts }) => {
	const keyBuffer = Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength);
	const out = new Array(texts.length);
	for (let i = 0; i < texts.length; i++) {
		out[i] = null;
		let length = 0;
		try {
			const room = Math.ceil((texts[i].length * 3) / 4);
			if (room > scratch.length) {
				scratch = Buffer.alloc(Math.ceil(Math.max(room, scratch.length * 2) / 16) * 16);
				words = new Uint32Array(scratch.buffer, 0, scratch.length >> 2);
			}
			length = scratch.write(texts[i], 0, 'base64url');
			if (length === 0 || length % 16 !== 0) continue;
			keyBuffer.copy(key, 0, i * 16, i * 16 + 16);
			decryptInPlace(length);
			let prefixed = true;
			for (let j = 0; j < PREFIX.length; j++) if (scratch[j] !== PREFIX[j]) prefixed = false;
			if (!prefixed) continue;
			let end = scratch.indexOf(0, 4);
			if (end < 0 || end > length) end = length;
			const parsed = JSON.parse(scratch.toString('utf8', 4, end));
			if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) out[i] = parsed;
		} catch {
			out[i] = null;
		} finally {
			scratch.fill(0, 0, length);
			key.fill(0);
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
		const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { noblePath: require.resolve('@noble/ciphers/aes') } });
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
 * How many workers whole-tree decryption uses: only with at least 3 cores (the main thread keeps one and still
 * prepares keys and receives the results); 0 otherwise, where one thread is as fast and disturbs nobody.
 */
export function nameWorkerCount(): number {
	const cores = availableParallelism();
	if (cores < 3) return 0;
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
