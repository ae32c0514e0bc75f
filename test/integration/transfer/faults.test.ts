import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { openDownload, TransferIntegrityError, TransferQuotaError, uploadFile } from '../../../core/mega/transfer';
import { startTransferFixture, type TransferFixture } from './support/sandbox-session';

const KIB = 1024;
const MIB = 1024 * KIB;

async function drain(stream: Readable): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

describe('transfers under the sandbox faults', () => {
	let fixture: TransferFixture;
	beforeAll(async () => {
		fixture = await startTransferFixture();
	});
	afterAll(async () => {
		await fixture.close();
	});
	afterEach(() => {
		fixture.sandbox.faults.clear();
		fixture.sandbox.resetCounters();
	});

	const put = (data: Buffer, extra: Record<string, unknown> = {}) =>
		uploadFile(fixture.session.api, {
			parentHandle: fixture.account.rootHandle,
			name: 'faulty.bin',
			source: data,
			masterKey: fixture.session.masterKey,
			maxPostBytes: 512 * KIB,
			...extra,
		});

	describe('upload', () => {
		it('retries chunks answered with EAGAIN (-3) and HTTP 500, re-sending the same bytes', async () => {
			const data = randomBytes(3 * MIB + 9);
			fixture.sandbox.faults.add({ kind: 'error', code: -3, endpoint: 'upload', count: 3 });
			fixture.sandbox.faults.add({ kind: 'http', status: 500, endpoint: 'upload', count: 2 });
			const result = await put(data);
			const counters = fixture.sandbox.counters();
			expect(counters.faults).toBe(5);
			expect(counters.commands.u).toBe(1);
			expect((await fixture.sandbox.client(fixture.account.email).download(result.handle)).equals(data)).toBe(true);
		});

		it('retries a chunk whose connection was dropped mid-body', async () => {
			const data = randomBytes(2 * MIB + 1);
			fixture.sandbox.faults.add({ kind: 'drop', endpoint: 'upload', count: 2 });
			const result = await put(data);
			expect(fixture.sandbox.counters().faults).toBe(2);
			expect((await fixture.sandbox.client(fixture.account.email).download(result.handle)).equals(data)).toBe(true);
		});

		it('starts again from the factory with a new upload URL after -4 mid-upload, and creates one node', async () => {
			const data = randomBytes(6 * MIB + 5);
			const nodesBefore = fixture.sandbox.nodeCount(fixture.account.email);
			let opened = 0;
			let injected = false;
			const result = await put(data, {
				concurrency: 2,
				source: () => {
					opened++;
					return Readable.from([data.subarray(0, 1000), data.subarray(1000)]);
				},
				size: data.length,
				onProgress: ({ bytesDone }: { bytesDone: number }) => {
					if (!injected && bytesDone > 0) {
						injected = true;
						fixture.sandbox.faults.add({ kind: 'error', code: -4, endpoint: 'upload', count: 1 });
					}
				},
			});
			expect(opened).toBe(2);
			const counters = fixture.sandbox.counters();
			expect(counters.commands.u).toBe(2);
			expect(counters.applied.p).toBe(1);
			expect(fixture.sandbox.nodeCount(fixture.account.email)).toBe(nodesBefore + 1);
			expect((await fixture.sandbox.client(fixture.account.email).download(result.handle)).equals(data)).toBe(true);
		});

		it('gives up after bounded retries with a typed error and creates no node', async () => {
			const nodesBefore = fixture.sandbox.nodeCount(fixture.account.email);
			fixture.sandbox.faults.add({ kind: 'error', code: -3, endpoint: 'upload', count: 50 });
			await expect(put(randomBytes(1000), { maxChunkRetries: 2 })).rejects.toMatchObject({ code: 'EAGAIN' });
			expect(fixture.sandbox.counters().applied.p ?? 0).toBe(0);
			expect(fixture.sandbox.nodeCount(fixture.account.email)).toBe(nodesBefore);
		});
	});

	describe('download', () => {
		let handle: string;
		let key: Buffer;
		let digest: string;
		beforeAll(async () => {
			const data = randomBytes(5 * MIB + 7);
			digest = createHash('sha256').update(data).digest('hex');
			const result = await put(data);
			handle = result.handle;
			key = result.nodeKey;
		});
		const open = (extra: Record<string, unknown> = {}) =>
			openDownload(fixture.session.api, { source: { handle }, key, requestBytes: MIB, ...extra });

		/** GETs of one fault-free download (which also warms the pooled keep-alive connections). */
		const cleanGets = async (): Promise<number> => {
			fixture.sandbox.resetCounters();
			await drain(await open());
			const gets = fixture.sandbox.counters().endpoints.download;
			fixture.sandbox.resetCounters();
			return gets;
		};

		it('retries dropped connections, a truncated body and a 503', async () => {
			const gets = await cleanGets();
			fixture.sandbox.faults.add({ kind: 'drop', endpoint: 'download', count: 2 });
			fixture.sandbox.faults.add({ kind: 'truncate', endpoint: 'download', count: 1 });
			fixture.sandbox.faults.add({ kind: 'http', status: 503, endpoint: 'download', count: 1 });
			// Default idle timeout (60 s): the dropped connections are noticed by their reset, not by going silent.
			const got = await drain(await open());
			expect(createHash('sha256').update(got).digest('hex')).toBe(digest);
			const counters = fixture.sandbox.counters();
			expect(counters.faults).toBe(4);
			// One retry per fault.
			expect(counters.endpoints.download).toBe(gets + 4);
		});

		it('retries a range whose keep-alive connection is dropped mid-body, long before any idle timeout', async () => {
			// The clean download leaves pooled keep-alive connections: the drop hits a reused socket.
			const gets = await cleanGets();
			fixture.sandbox.faults.add({ kind: 'drop', endpoint: 'download', afterBytes: 100_000, count: 1 });
			const got = await drain(await open({ concurrency: 1, timeoutMs: 120_000 }));
			expect(createHash('sha256').update(got).digest('hex')).toBe(digest);
			expect(fixture.sandbox.counters()).toMatchObject({ faults: 1, endpoints: expect.objectContaining({ download: gets + 1 }) });
		});

		it('fails with the integrity error on a flipped byte (MAC mismatch) and never ends cleanly', async () => {
			fixture.sandbox.faults.add({ kind: 'flip', endpoint: 'download', count: 1 });
			const stream = await open();
			let ended = false;
			stream.on('end', () => (ended = true));
			const error = await drain(stream).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(TransferIntegrityError);
			expect(error).toMatchObject({ code: 'EINTEGRITY', reason: 'mac-mismatch' });
			expect(ended).toBe(false);
		});

		it('fails with the integrity error when bodies stay truncated', async () => {
			fixture.sandbox.faults.add({ kind: 'truncate', endpoint: 'download', count: 100 });
			const error = await drain(await open({ maxRangeRetries: 2, concurrency: 1 })).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(TransferIntegrityError);
			expect(error).toMatchObject({ reason: 'truncated' });
		});

		it('turns 509 into a transfer-quota error carrying the wait, without retrying', async () => {
			fixture.sandbox.faults.add({ kind: 'quota509', timeLeft: 321, endpoint: 'download', count: 1 });
			const error = await drain(await open({ concurrency: 1 })).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(TransferQuotaError);
			expect(error).toMatchObject({ waitSeconds: 321, cause: 'quota-exhausted' });
		});

		it('hits the account transfer quota like MEGA: 509 with the reset time', async () => {
			fixture.sandbox.setQuota(fixture.account.email, { transferBytes: 2 * MIB, transferResetSeconds: 900 });
			try {
				const error = await drain(await open({ concurrency: 1 })).catch((e: unknown) => e);
				expect(error).toBeInstanceOf(TransferQuotaError);
				expect(error).toMatchObject({ waitSeconds: 900 });
			} finally {
				fixture.sandbox.setQuota(fixture.account.email, { transferBytes: 2 ** 50 });
			}
		});
	});
});
