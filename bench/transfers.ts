/**
 * `loopback.*` and `slowlink.*`: whole uploads and downloads through the MEGA sandbox (in its own process) on
 * 127.0.0.1, ours and megajs's in the same run. The slow link is the sandbox's latency (40 ms per request) and
 * per-connection bandwidth cap (10 MB/s) faults; its limit is connections × cap.
 */
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MegaApiTransport } from '../core/mega/api/transport';
import { login } from '../core/mega/session';
import { openDownload, uploadFile, DEFAULT_UPLOAD_CONCURRENCY } from '../core/mega/transfer';
import type { BenchResult } from './pipeline';
import { RemoteSandbox, type RemoteAccount } from './remote-sandbox';

const MIB = 1024 * 1024;

function patternStream(pattern: Buffer, size: number): Readable {
	function* gen(): Generator<Buffer> {
		for (let at = 0; at < size; at += MIB) {
			const from = at % pattern.length;
			yield pattern.subarray(from, from + Math.min(MIB, size - at));
		}
	}
	return Readable.from(gen(), { objectMode: false });
}

function countingSink(): Writable & { bytes: number } {
	const sink = new Writable({
		highWaterMark: 4 * MIB,
		write(chunk: Buffer, _encoding, callback) {
			sink.bytes += chunk.length;
			callback();
		},
	}) as Writable & { bytes: number };
	sink.bytes = 0;
	return sink;
}

function mbPerSecond(bytes: number, ms: number): number {
	return Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;
}

/** Peak RSS growth over a piece of work, above the RSS just before it (sampled; the event loop turns often during transfers). */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; peakRssMiB: number }> {
	const baseline = process.memoryUsage.rss();
	let peak = baseline;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
	const started = performance.now();
	try {
		const value = await work();
		return { value, ms: performance.now() - started, peakRssMiB: Math.round((Math.max(peak, process.memoryUsage.rss()) - baseline) / MIB) };
	} finally {
		clearInterval(timer);
	}
}

async function ourSession(sandbox: RemoteSandbox, account: RemoteAccount): Promise<{ api: MegaApiTransport; masterKey: Buffer }> {
	const api = new MegaApiTransport({ gateway: sandbox.gateway });
	const session = await login(api, { kind: 'password', email: account.email, password: account.password });
	return { api, masterKey: session.masterKey };
}

async function oursRoundTrip(
	sandbox: RemoteSandbox,
	account: RemoteAccount,
	pattern: Buffer,
	size: number,
): Promise<{ upload: { ms: number; peakRssMiB: number }; download: { ms: number; peakRssMiB: number } }> {
	const { api, masterKey } = await ourSession(sandbox, account);
	const up = await withPeakRss(() =>
		uploadFile(api, {
			parentHandle: account.rootHandle,
			name: `ours-${size}.bin`,
			source: () => patternStream(pattern, size),
			size,
			masterKey,
			useSsl: false,
		}),
	);
	const down = await withPeakRss(async () => {
		const stream = await openDownload(api, { source: { handle: up.value.handle }, key: up.value.nodeKey, useSsl: false });
		const sink = countingSink();
		await pipeline(stream, sink);
		if (sink.bytes !== size) throw new Error(`downloaded ${sink.bytes} of ${size} bytes`);
	});
	return { upload: up, download: down };
}

interface MegajsFile {
	download(options?: Record<string, unknown>): Readable;
}

async function megajsRoundTrip(sandbox: RemoteSandbox, account: RemoteAccount, pattern: Buffer, size: number): Promise<{ upload: number; download: number }> {
	const mega = (await import('megajs')) as unknown as {
		Storage: new (options: Record<string, unknown>) => {
			ready: Promise<unknown>;
			upload(options: Record<string, unknown>): Writable & { complete: Promise<MegajsFile> };
			close(): Promise<void>;
		};
	};
	const storage = new mega.Storage({ email: account.email, password: account.password, gateway: sandbox.gateway, keepalive: false });
	await storage.ready;
	let started = performance.now();
	const upload = storage.upload({ name: `megajs-${size}.bin`, size });
	patternStream(pattern, size).pipe(upload);
	const file = await upload.complete;
	const uploadMs = performance.now() - started;
	started = performance.now();
	const sink = countingSink();
	await pipeline(file.download({}), sink);
	const downloadMs = performance.now() - started;
	if (sink.bytes !== size) throw new Error(`megajs downloaded ${sink.bytes} of ${size} bytes`);
	await storage.close();
	return { upload: uploadMs, download: downloadMs };
}

export async function benchLoopback(options: { quick: boolean; megajs: boolean }): Promise<BenchResult[]> {
	// 256 MiB + 123: not on a chunk boundary, where megajs's MAC differs from MEGA's
	const size = (options.quick ? 32 : 256) * MIB + 123;
	const pattern = randomBytes(8 * MIB);
	const sandbox = await RemoteSandbox.start();
	try {
		const account = await sandbox.createAccount(`bench-${Date.now()}@sandbox.local`, 'bench-password-1');
		const ours = await oursRoundTrip(sandbox, account, pattern, size);
		const megajs = options.megajs ? await megajsRoundTrip(sandbox, account, pattern, size) : undefined;
		return [
			{
				name: 'loopback.upload',
				unit: 'MB/s',
				ours: mbPerSecond(size, ours.upload.ms),
				...(megajs ? { megajs: mbPerSecond(size, megajs.upload) } : {}),
				peakRssMiB: ours.upload.peakRssMiB,
				bytes: size,
			},
			{
				name: 'loopback.download',
				unit: 'MB/s',
				ours: mbPerSecond(size, ours.download.ms),
				...(megajs ? { megajs: mbPerSecond(size, megajs.download) } : {}),
				peakRssMiB: ours.download.peakRssMiB,
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
	const pattern = randomBytes(8 * MIB);
	const sandbox = await RemoteSandbox.start();
	try {
		const account = await sandbox.createAccount(`slow-${Date.now()}@sandbox.local`, 'bench-password-1');
		await sandbox.control('faults', { kind: 'latency', ms: latencyMs });
		await sandbox.control('faults', { kind: 'bandwidth', bytesPerSecond: capBytesPerSecond, endpoint: ['upload', 'download'] });
		const ours = await oursRoundTrip(sandbox, account, pattern, size);
		const limit = (connections * capBytesPerSecond) / 1e6;
		const extra = { connections, capMBps: capBytesPerSecond / 1e6, latencyMs, bytes: size };
		return [
			{ name: 'slowlink.upload', unit: 'MB/s', ours: mbPerSecond(size, ours.upload.ms), limit, peakRssMiB: ours.upload.peakRssMiB, ...extra },
			{ name: 'slowlink.download', unit: 'MB/s', ours: mbPerSecond(size, ours.download.ms), limit, peakRssMiB: ours.download.peakRssMiB, ...extra },
		];
	} finally {
		await sandbox.close();
	}
}
