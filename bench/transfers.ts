/**
 * `loopback.*` and `slowlink.*`: whole uploads and downloads through the MEGA sandbox (in its own process) on
 * 127.0.0.1, ours and megajs's in the same run, each transfer in a fresh child process (clean heap, own peak RSS).
 * The slow link is the sandbox's latency (40 ms per request) and per-connection bandwidth cap (10 MB/s) faults;
 * its limit is connections × cap.
 */
import { join } from 'node:path';
import { runInChild } from '../test/support/run-in-child';
import { DEFAULT_UPLOAD_CONCURRENCY } from '../core/mega/transfer';
import type { BenchResult } from './pipeline';
import { RemoteSandbox } from './remote-sandbox';
import type { OpInput, OpResult } from './transfer-ops';

const MIB = 1024 * 1024;
const OPS = join(__dirname, 'transfer-ops.ts');

function mbPerSecond(bytes: number, ms: number): number {
	return Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;
}

async function op(name: 'oursUpload' | 'oursDownload' | 'megajsUpload' | 'megajsDownload' | 'oneConnection', input: OpInput): Promise<OpResult & { peakRssMiB: number }> {
	const { result, memory } = await runInChild<OpResult>(OPS, name, input, { timeoutMs: 15 * 60_000, sampleIntervalMs: 10 });
	return { ...result, peakRssMiB: Math.round(memory.peakRssGrowthBytes / MIB) };
}

async function account(sandbox: RemoteSandbox, prefix: string, size: number): Promise<OpInput> {
	const password = 'bench-password-1';
	const created = await sandbox.createAccount(`${prefix}-${Date.now()}@sandbox.local`, password);
	return { gateway: sandbox.gateway, email: created.email, password, rootHandle: created.rootHandle, size };
}

export async function benchLoopback(options: { quick: boolean; megajs: boolean }): Promise<BenchResult[]> {
	// 256 MiB + 123: not on a chunk boundary, where megajs's MAC differs from MEGA's
	const size = (options.quick ? 32 : 256) * MIB + 123;
	const sandbox = await RemoteSandbox.start();
	try {
		const input = await account(sandbox, 'loopback', size);
		const up = await op('oursUpload', input);
		const down = await op('oursDownload', { ...input, handle: up.handle, key: up.key });
		let megajsUp: OpResult | undefined;
		let megajsDown: OpResult | undefined;
		if (options.megajs) {
			megajsUp = await op('megajsUpload', input);
			megajsDown = await op('megajsDownload', { ...input, handle: megajsUp.handle });
		}
		return [
			{
				name: 'loopback.upload',
				unit: 'MB/s',
				ours: mbPerSecond(size, up.ms),
				...(megajsUp ? { megajs: mbPerSecond(size, megajsUp.ms) } : {}),
				peakRssMiB: up.peakRssMiB,
				bytes: size,
			},
			{
				name: 'loopback.download',
				unit: 'MB/s',
				ours: mbPerSecond(size, down.ms),
				...(megajsDown ? { megajs: mbPerSecond(size, megajsDown.ms) } : {}),
				peakRssMiB: down.peakRssMiB,
				bytes: size,
			},
		];
	} finally {
		await sandbox.close();
	}
}

export async function benchSlowLink(options: { quick: boolean }): Promise<BenchResult[]> {
	const size = (options.quick ? 32 : 128) * MIB + 123;
	const capBytesPerSecond = 10_000_000;
	const latencyMs = 40;
	const connections = DEFAULT_UPLOAD_CONCURRENCY;
	const sandbox = await RemoteSandbox.start();
	try {
		const input = await account(sandbox, 'slowlink', size);
		await sandbox.control('faults', { kind: 'latency', ms: latencyMs });
		await sandbox.control('faults', { kind: 'bandwidth', bytesPerSecond: capBytesPerSecond, endpoint: ['upload', 'download'] });
		const up = await op('oursUpload', input);
		const down = await op('oursDownload', { ...input, handle: up.handle, key: up.key });
		const single = await op('oneConnection', { ...input, handle: up.handle, key: up.key });
		const limit = (connections * capBytesPerSecond) / 1e6;
		// What one connection of the throttled sandbox delivers (one 16 MiB GET after its `g`, two 40 ms latencies
		// included): a check that the cap is what it says (the bandwidth fault is a token bucket on monotonic time,
		// so ~9.5 here means 10 MB/s on the wire). The limit stays connections × configured cap.
		const oneConnectionMBps = mbPerSecond(16 * MIB, single.ms);
		const extra = { connections, capMBps: capBytesPerSecond / 1e6, latencyMs, oneConnectionMBps, bytes: size };
		return [
			{ name: 'slowlink.upload', unit: 'MB/s', ours: mbPerSecond(size, up.ms), limit, peakRssMiB: up.peakRssMiB, ...extra },
			{ name: 'slowlink.download', unit: 'MB/s', ours: mbPerSecond(size, down.ms), limit, peakRssMiB: down.peakRssMiB, ...extra },
		];
	} finally {
		await sandbox.close();
	}
}
