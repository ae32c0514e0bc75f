/**
 * `workflow.upload` / `workflow.download`: 256 MiB through the MEGA Cloud node in n8n's engine (filesystem binary
 * mode) against the MEGA sandbox (its own process), each with `core` = the same transfer through MegaClient alone in
 * the same run (from and to a file, as n8n keeps binaries on disk), and `peakRssMiB` (highest over the rounds) of the
 * child running the workflow. Target: ours ≥ 0.8 × core.
 */
import { join } from 'node:path';
import { runInChild } from '../test/support/run-in-child';
import type { BenchResult } from './pipeline';
import { RemoteSandbox } from './remote-sandbox';
import type { WorkflowOpInput, WorkflowOpResult } from './workflow-ops';

const MIB = 1024 * 1024;
const OPS = join(__dirname, 'workflow-ops.ts');

function mbPerSecond(bytes: number, ms: number): number {
	return Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;
}

async function op(name: 'workflowUpload' | 'workflowDownload' | 'coreUpload' | 'coreDownload', input: WorkflowOpInput): Promise<WorkflowOpResult & { peakRssMiB: number }> {
	const { result, memory } = await runInChild<WorkflowOpResult>(OPS, name, input, { timeoutMs: 15 * 60_000, sampleIntervalMs: 10 });
	if (result.bytes !== input.size) throw new Error(`${name} moved ${result.bytes} of ${input.size} bytes`);
	return { ...result, peakRssMiB: Math.round(memory.peakRssGrowthBytes / MIB) };
}

/** Rounds of workflow and core alternate, best of each: the machine is shared, single runs swing by 2-3x. */
const ROUNDS = 3;

export async function benchWorkflow(options: { quick: boolean }): Promise<BenchResult[]> {
	const size = (options.quick ? 32 : 256) * MIB;
	const rounds = options.quick ? 1 : ROUNDS;
	const sandbox = await RemoteSandbox.start();
	try {
		const password = 'bench-password-1';
		const created = await sandbox.createAccount(`workflow-${Date.now()}@sandbox.local`, password);
		const input: WorkflowOpInput = { gateway: sandbox.gateway, email: created.email, password, size };
		const best = { up: Infinity, coreUp: Infinity, down: Infinity, coreDown: Infinity, upRss: 0, downRss: 0, coreUpRss: 0, coreDownRss: 0 };
		for (let round = 0; round < rounds; round++) {
			const up = await op('workflowUpload', input);
			const coreUp = await op('coreUpload', input);
			const down = await op('workflowDownload', { ...input, handle: up.handle });
			const coreDown = await op('coreDownload', { ...input, handle: up.handle });
			best.up = Math.min(best.up, up.ms);
			best.coreUp = Math.min(best.coreUp, coreUp.ms);
			best.down = Math.min(best.down, down.ms);
			best.coreDown = Math.min(best.coreDown, coreDown.ms);
			best.upRss = Math.max(best.upRss, up.peakRssMiB);
			best.downRss = Math.max(best.downRss, down.peakRssMiB);
			best.coreUpRss = Math.max(best.coreUpRss, coreUp.peakRssMiB);
			best.coreDownRss = Math.max(best.coreDownRss, coreDown.peakRssMiB);
		}
		const extra = { bytes: size, binaryMode: 'filesystem', rounds };
		return [
			{ name: 'workflow.upload', unit: 'MB/s', ours: mbPerSecond(size, best.up), core: mbPerSecond(size, best.coreUp), peakRssMiB: best.upRss, corePeakRssMiB: best.coreUpRss, ...extra },
			{ name: 'workflow.download', unit: 'MB/s', ours: mbPerSecond(size, best.down), core: mbPerSecond(size, best.coreDown), peakRssMiB: best.downRss, corePeakRssMiB: best.coreDownRss, ...extra },
		];
	} finally {
		await sandbox.close();
	}
}
