/**
 * Not a test: prints JSON timings of the login KDFs and hashcash, and the longest event-loop stall while the
 * non-blocking forms run. Run under each Node version:
 *   node node_modules/tsx/dist/cli.mjs test/unit/crypto/measure-kdf.ts
 *   "$(npx tsx test/support/node24.ts)" node_modules/tsx/dist/cli.mjs test/unit/crypto/measure-kdf.ts   (Node 24, test/support/node24.ts)
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createHashcashChallenge, deriveKeyV1, deriveKeyV1Async, deriveKeyV2, deriveKeyV2Async, solveHashcash } from '../../../core/mega/crypto';

const RUNS = 7;

function timeSync(work: () => unknown): { bestMs: number; medianMs: number } {
	const times: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const start = performance.now();
		work();
		times.push(performance.now() - start);
	}
	times.sort((a, b) => a - b);
	return { bestMs: round(times[0]), medianMs: round(times[Math.floor(RUNS / 2)]) };
}

/**
 * CPU time of the main thread in ms (Node 24: process.threadCpuUsage). Node 20 lacks it, so there the whole process's
 * CPU time is used, which also counts thread-pool and worker threads: an upper bound for the off-thread work.
 */
const threadCpuUsage = (process as unknown as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
const CPU_CLOCK = threadCpuUsage ? 'main thread (process.threadCpuUsage)' : 'whole process (process.cpuUsage)';
function cpuMs(): number {
	const usage = threadCpuUsage ? threadCpuUsage.call(process) : process.cpuUsage();
	return (usage.user + usage.system) / 1000;
}

/**
 * Runs async work while a setImmediate probe records the longest gap between two of its turns, in wall-clock time
 * (inflated when other processes compete for the cores) and in CPU time (the work done without yielding).
 */
async function timeAsync(
	work: () => Promise<unknown>,
	runs = RUNS,
): Promise<{ bestMs: number; medianMs: number; maxStallMs: number; maxStallCpuMs: number }> {
	const times: number[] = [];
	let maxStall = 0;
	let maxStallCpu = 0;
	for (let i = 0; i < runs; i++) {
		let running = true;
		let last = performance.now();
		let lastCpu = cpuMs();
		const probe = (): void => {
			const now = performance.now();
			const cpu = cpuMs();
			maxStall = Math.max(maxStall, now - last);
			maxStallCpu = Math.max(maxStallCpu, cpu - lastCpu);
			last = now;
			lastCpu = cpu;
			if (running) setImmediate(probe);
		};
		setImmediate(probe);
		const start = performance.now();
		await work();
		times.push(performance.now() - start);
		running = false;
		await new Promise((resolve) => setImmediate(resolve));
	}
	times.sort((a, b) => a - b);
	return {
		bestMs: round(times[0]),
		medianMs: round(times[Math.floor(times.length / 2)]),
		maxStallMs: round(maxStall),
		maxStallCpuMs: round(maxStallCpu),
	};
}

function round(value: number): number {
	return Math.round(value * 10) / 10;
}

async function main(): Promise<void> {
	const v1: Record<string, unknown> = {};
	for (const length of [8, 16, 32, 64]) {
		const password = 'Pa5$'.repeat(16).slice(0, length);
		v1[String(length)] = { sync: timeSync(() => deriveKeyV1(password)), async: await timeAsync(() => deriveKeyV1Async(password)) };
	}
	const salt = randomBytes(32);
	const v2 = { sync: timeSync(() => deriveKeyV2('correct horse battery staple', salt)), async: await timeAsync(() => deriveKeyV2Async('correct horse battery staple', salt)) };
	const hashcash192 = await timeAsync(() => solveHashcash(createHashcashChallenge(192).header), 5);
	console.log(
		JSON.stringify(
			{
				node: process.version,
				openssl: process.versions.openssl,
				cpu: cpus()[0]?.model,
				loadavg: loadavg().map(round),
				runs: RUNS,
				cpuClock: CPU_CLOCK,
				deriveKeyV1: v1,
				deriveKeyV2: v2,
				solveHashcash192: hashcash192,
			},
			null,
			1,
		),
	);
}

void main();
