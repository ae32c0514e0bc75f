/**
 * Runs one exported function of a TypeScript module in a fresh Node process and returns its JSON result
 * together with the process's memory figures. Memory bounds may only be asserted this way: a jest worker's
 * RSS carries whatever earlier test files left behind.
 *
 * ```ts
 * import { join } from 'node:path';
 * import { runInChild } from '../../support/run-in-child';
 *
 * const { result, memory } = await runInChild<{ sha256: string }>(join(__dirname, 'fixtures/upload-200mib.ts'), 'uploadBig', { size: 200 * 2 ** 20 });
 * expect(memory.peakRssGrowthBytes).toBeLessThan(100 * 2 ** 20);
 * ```
 *
 * The target is `export async function name(input, probe: MemoryProbe) { … return jsonValue; }`.
 * It runs under `node --expose-gc --import tsx` (Node 20.19+ and 24), after its module has been loaded and
 * two garbage collections have settled the baseline, so module loading is not counted. The child may use the
 * workflow harness (it needs no jest globals) and may start servers on 127.0.0.1; it is killed when done.
 *
 * Peak RSS: the kernel's high-water mark (`resourceUsage().maxRSS`) when the work raised it, otherwise the
 * highest of the samples taken every `sampleIntervalMs` by a worker thread (a busy main thread cannot starve
 * it) and at each `probe.sample()` call.
 */
import { fork } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface MemoryProbe {
	/** Records the current RSS now (useful inside long synchronous stretches). */
	sample(): void;
	/** Runs a full garbage collection (the child has --expose-gc). */
	gc(): void;
}

export interface ChildMemory {
	/** RSS after the module was loaded and garbage collected, before the function ran. */
	baselineRssBytes: number;
	/** Highest RSS while the function ran. */
	peakRssBytes: number;
	/** peakRssBytes - baselineRssBytes: what the work cost at its worst. */
	peakRssGrowthBytes: number;
	/** RSS right after the function returned (before any further collection). */
	finalRssBytes: number;
	/** Highest V8 heap use seen by this thread's samples (`probe.sample()` and the end). */
	peakHeapUsedBytes: number;
	/** Whether the kernel high-water mark (rather than sampling) gave the peak. */
	peakFromHighWaterMark: boolean;
	samples: number;
}

export interface ChildRun<T> {
	result: T;
	memory: ChildMemory;
	durationMs: number;
	/** What the child wrote to stdout and stderr. */
	stdout: string;
	stderr: string;
}

export interface RunInChildOptions {
	/** Node binary; default the one running this process (e.g. Node 24's binary for a 2.x-engine check). */
	nodePath?: string;
	/** Extra flags, e.g. `--max-old-space-size=128` to turn accidental buffering into a crash. */
	execArgv?: string[];
	/** Extra environment variables (merged over this process's). */
	env?: Record<string, string>;
	/** Kill the child after this long; default 120 s. */
	timeoutMs?: number;
	/** RSS sampling period; default 5 ms. */
	sampleIntervalMs?: number;
}

/** Error raised for a failure inside the child, a crash, or a timeout; carries the child's stderr. */
export class ChildRunError extends Error {
	constructor(
		message: string,
		readonly stderr: string,
		readonly childStack?: string,
	) {
		super(stderr.trim() ? `${message}\n--- child stderr (tail) ---\n${stderr.trim().split('\n').slice(-20).join('\n')}` : message);
		this.name = 'ChildRunError';
	}
}

interface ChildRequest {
	modulePath: string;
	exportName: string;
	input: unknown;
	sampleIntervalMs: number;
}

type ChildReply =
	| { ok: true; result: unknown; memory: ChildMemory; durationMs: number }
	| { ok: false; name: string; message: string; stack?: string };

const TSX_LOADER = require.resolve('tsx');

/** Runs `exportName` of `modulePath` (absolute path to a .ts/.js module) in a fresh child process. */
export async function runInChild<T = unknown>(
	modulePath: string,
	exportName: string,
	input?: unknown,
	options: RunInChildOptions = {},
): Promise<ChildRun<T>> {
	if (!isAbsolute(modulePath)) throw new Error(`runInChild needs an absolute module path, got "${modulePath}" (use join(__dirname, …))`);
	const request: ChildRequest = { modulePath, exportName, input, sampleIntervalMs: options.sampleIntervalMs ?? 5 };
	const child = fork(__filename, [], {
		execPath: options.nodePath ?? process.execPath,
		execArgv: ['--expose-gc', '--import', TSX_LOADER, ...(options.execArgv ?? [])],
		env: { ...process.env, ...options.env },
		stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

	return await new Promise<ChildRun<T>>((resolve, reject) => {
		let reply: ChildReply | undefined;
		const timeoutMs = options.timeoutMs ?? 120_000;
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new ChildRunError(`Child running ${exportName} timed out after ${timeoutMs} ms`, stderr));
		}, timeoutMs);
		child.on('message', (message: ChildReply) => {
			reply = message;
		});
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(new ChildRunError(`Could not start the child: ${error.message}`, stderr));
		});
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			if (!reply) {
				reject(new ChildRunError(`Child running ${exportName} exited (code ${code}, signal ${signal}) without a result`, stderr));
			} else if (!reply.ok) {
				reject(new ChildRunError(`${reply.name} in child running ${exportName}: ${reply.message}`, stderr, reply.stack));
			} else {
				resolve({ result: reply.result as T, memory: reply.memory, durationMs: reply.durationMs, stdout, stderr });
			}
		});
		child.send(request);
	});
}

async function childMain(request: ChildRequest): Promise<ChildReply> {
	const loaded = (await import(request.modulePath)) as Record<string, unknown>;
	const target = loaded[request.exportName] ?? (loaded.default as Record<string, unknown> | undefined)?.[request.exportName];
	if (typeof target !== 'function') throw new Error(`${request.modulePath} does not export a function "${request.exportName}"`);

	const gc = (globalThis as { gc?: () => void }).gc;
	if (!gc) throw new Error('The child has no gc(): --expose-gc did not reach it');
	// The sampler thread is part of the baseline, not of the work's cost.
	const sampler = startRssSampler(request.sampleIntervalMs);
	await sampler.ready;
	gc();
	gc();
	const baseline = process.memoryUsage();
	sampler.reset();
	const highWaterMarkBefore = process.resourceUsage().maxRSS * 1024;
	let peakRss = baseline.rss;
	let peakHeapUsed = baseline.heapUsed;
	let samples = 0;
	const probe: MemoryProbe = {
		sample() {
			const usage = process.memoryUsage();
			samples++;
			peakRss = Math.max(peakRss, usage.rss);
			peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
		},
		gc,
	};
	const started = performance.now();
	try {
		const result: unknown = await (target as (input: unknown, probe: MemoryProbe) => unknown)(request.input, probe);
		const durationMs = performance.now() - started;
		probe.sample();
		const sampled = sampler.read();
		samples += sampled.samples;
		if (sampled.peakRss > peakRss) peakRss = sampled.peakRss;
		const finalRss = process.memoryUsage().rss;
		const highWaterMarkAfter = process.resourceUsage().maxRSS * 1024;
		const peakFromHighWaterMark = highWaterMarkAfter > highWaterMarkBefore && highWaterMarkAfter > peakRss;
		if (peakFromHighWaterMark) peakRss = highWaterMarkAfter;
		return {
			ok: true,
			result,
			durationMs,
			memory: {
				baselineRssBytes: baseline.rss,
				peakRssBytes: peakRss,
				peakRssGrowthBytes: peakRss - baseline.rss,
				finalRssBytes: finalRss,
				peakHeapUsedBytes: peakHeapUsed,
				peakFromHighWaterMark,
				samples,
			},
		};
	} finally {
		await sampler.stop();
	}
}

/**
 * Samples RSS (process-wide) from a worker thread: a busy main thread (a stream pipeline that never yields to
 * the timers phase) cannot starve it. The peak and count travel back through shared memory.
 */
function startRssSampler(intervalMs: number): { ready: Promise<void>; reset(): void; read(): { peakRss: number; samples: number }; stop(): Promise<number> } {
	const shared = new BigInt64Array(new SharedArrayBuffer(16));
	const source = `
		const { workerData, parentPort } = require('node:worker_threads');
		const cells = workerData.cells;
		const sample = () => {
			const rss = BigInt(process.memoryUsage.rss());
			if (rss > Atomics.load(cells, 0)) Atomics.store(cells, 0, rss);
			Atomics.add(cells, 1, 1n);
		};
		sample();
		setInterval(sample, workerData.intervalMs);
		parentPort.postMessage('ready');
	`;
	const worker = new Worker(source, { eval: true, workerData: { cells: shared, intervalMs } });
	worker.unref();
	return {
		ready: new Promise((resolve, reject) => {
			worker.once('message', () => resolve());
			worker.once('error', reject);
		}),
		reset: () => {
			Atomics.store(shared, 0, 0n);
			Atomics.store(shared, 1, 0n);
		},
		read: () => ({ peakRss: Number(Atomics.load(shared, 0)), samples: Number(Atomics.load(shared, 1)) }),
		stop: () => worker.terminate(),
	};
}

if (require.main === module && process.send) {
	process.once('message', (request: ChildRequest) => {
		childMain(request)
			.catch((error: unknown): ChildReply => {
				const failure = error instanceof Error ? error : new Error(String(error));
				return { ok: false, name: failure.name, message: failure.message, stack: failure.stack };
			})
			// Exit once the reply is out: servers or timers the work left open must not keep the child alive.
			.then((reply) => process.send!(reply, () => process.exit(0)));
	});
}
