import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { base64urlDecode, decryptAttributes, decryptKey, fingerprint } from '../../../core/mega/crypto';
import {
	NameConflictError,
	openDownload,
	SizeMismatchError,
	TransferIntegrityError,
	TransferQuotaError,
	uploadFile,
	type UploadOptions,
} from '../../../core/mega/transfer';
import { FakeStorage } from './support/fake-storage';

const KIB = 1024;
const MIB = 1024 * KIB;
const masterKey = randomBytes(16);

async function collect(stream: Readable): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

describe('transfer engine against a fake storage server', () => {
	let storage: FakeStorage;
	beforeEach(async () => {
		storage = await new FakeStorage().start();
	});
	afterEach(async () => {
		await storage.stop();
	});

	const upload = (data: Buffer, extra: Partial<UploadOptions> = {}) =>
		uploadFile(storage, { parentHandle: 'ROOTROOT', name: 'a.bin', source: data, masterKey, mtime: 1_700_000_000, ...extra });

	it.each([0, 1, 17, 131073, 3 * MIB + 5])('round-trips %i bytes with a valid key, attributes and fingerprint', async (size) => {
		const data = randomBytes(size);
		const result = await upload(data, { maxPostBytes: 512 * KIB });
		expect(result.outcome).toBe('created');
		const stored = storage.nodes.get(result.handle);
		expect(stored?.s).toBe(size);
		const nodeKey = decryptKey(masterKey, base64urlDecode(stored?.k as string));
		expect(nodeKey.equals(result.nodeKey)).toBe(true);
		expect(decryptAttributes(base64urlDecode(stored?.a as string), nodeKey)).toEqual({
			n: 'a.bin',
			c: fingerprint(data, 1_700_000_000),
		});
		const download = await openDownload(storage, { source: { handle: result.handle }, key: nodeKey, requestBytes: 256 * KIB });
		expect(download.macChecked).toBe(true);
		expect(download.name).toBe('a.bin');
		expect((await collect(download)).equals(data)).toBe(true);
	});

	it('sends several whole chunks per POST, never more than the POST size, up to N at once', async () => {
		const data = randomBytes(20 * MIB + 3);
		await upload(data, { maxPostBytes: 4 * MIB, concurrency: 3 });
		expect(storage.posts.length).toBeGreaterThanOrEqual(6);
		expect(storage.posts.every((p) => p.length <= 4 * MIB)).toBe(true);
		expect(storage.posts.some((p) => p.length > MIB)).toBe(true);
	});

	it('uploads from a factory and from a one-shot stream of unknown size (spooled, temp file removed)', async () => {
		const data = randomBytes(2 * MIB + 11);
		const fromFactory = await upload(Buffer.alloc(0), { source: () => Readable.from([data]), size: data.length });
		expect(fromFactory.size).toBe(data.length);
		const before = (await readdir(tmpdir())).filter((f) => f.startsWith('mega-upload-')).length;
		const spooled = await upload(Buffer.alloc(0), { source: Readable.from([data.subarray(0, 5), data.subarray(5)]) });
		expect(spooled.size).toBe(data.length);
		expect((await readdir(tmpdir())).filter((f) => f.startsWith('mega-upload-')).length).toBe(before);
		const download = await openDownload(storage, { source: { handle: spooled.handle }, key: spooled.nodeKey });
		expect((await collect(download)).equals(data)).toBe(true);
	});

	it('re-sends the same bytes after -3, HTTP 500 and a dropped connection', async () => {
		const data = randomBytes(MIB + 100);
		storage.uploadFaults.push({ kind: 'reply', body: '-3' }, { kind: 'status', status: 500 }, { kind: 'drop' });
		const result = await upload(data, { concurrency: 1, maxPostBytes: 256 * KIB });
		expect(storage.uCalls).toBe(1);
		const download = await openDownload(storage, { source: { handle: result.handle }, key: result.nodeKey });
		expect((await collect(download)).equals(data)).toBe(true);
	});

	it('restarts from the factory with a new URL after -4 and creates exactly one node', async () => {
		const data = randomBytes(3 * MIB);
		let opened = 0;
		let expired = false;
		const result = await upload(data, {
			size: data.length,
			concurrency: 1,
			maxPostBytes: 512 * KIB,
			source: () => {
				opened++;
				return Readable.from([data]);
			},
			onProgress: ({ bytesDone }) => {
				if (!expired && bytesDone >= MIB) {
					expired = true;
					storage.expireUploads();
				}
			},
		});
		expect(opened).toBe(2);
		expect(storage.uCalls).toBe(2);
		expect(storage.nodes.size).toBe(1);
		const download = await openDownload(storage, { source: { handle: result.handle }, key: result.nodeKey });
		expect((await collect(download)).equals(data)).toBe(true);
	});

	it('treats a numeric body as an error code, never as the token, and creates no node on failure', async () => {
		storage.uploadFaults.push({ kind: 'reply', body: '-14' });
		await expect(upload(randomBytes(1000))).rejects.toMatchObject({ code: 'EUPLOAD', errno: -14 });
		expect(storage.commands.filter((c) => c.a === 'p')).toHaveLength(0);
	});

	it('cannot restart a one-shot stream of known size and says how to fix it', async () => {
		storage.uploadFaults.push({ kind: 'reply', body: '-4' });
		await expect(upload(Buffer.alloc(0), { source: Readable.from([randomBytes(1000)]), size: 1000 })).rejects.toMatchObject({
			code: 'ESOURCE',
			hint: expect.stringContaining('factory'),
		});
		expect(storage.nodes.size).toBe(0);
	});

	it('rejects a source that is shorter or longer than its size', async () => {
		await expect(upload(Buffer.alloc(0), { source: () => Readable.from([randomBytes(10)]), size: 20 })).rejects.toBeInstanceOf(
			SizeMismatchError,
		);
		await expect(upload(Buffer.alloc(0), { source: () => Readable.from([randomBytes(30)]), size: 20 })).rejects.toBeInstanceOf(
			SizeMismatchError,
		);
		expect(storage.nodes.size).toBe(0);
	});

	it('stops on abort without creating a node', async () => {
		const controller = new AbortController();
		const promise = upload(randomBytes(8 * MIB), {
			maxPostBytes: 256 * KIB,
			signal: controller.signal,
			onProgress: () => controller.abort(),
		});
		await expect(promise).rejects.toMatchObject({ code: 'EABORTED' });
		expect(storage.nodes.size).toBe(0);
	});

	describe('conflict policies', () => {
		const existing = [{ handle: 'OLDHANDL', name: 'a.bin' }];
		it('fail throws a NameConflictError before any transfer', async () => {
			await expect(upload(randomBytes(10), { conflict: { policy: 'fail', existing } })).rejects.toBeInstanceOf(NameConflictError);
			expect(storage.uCalls).toBe(0);
		});
		it('skip returns the existing file untouched', async () => {
			const r = await upload(randomBytes(10), { conflict: { policy: 'skip', existing } });
			expect(r).toMatchObject({ outcome: 'skipped', handle: 'OLDHANDL' });
			expect(storage.uCalls).toBe(0);
		});
		it('newVersion sends ov', async () => {
			const r = await upload(randomBytes(10), { conflict: { policy: () => 'newVersion', existing } });
			expect(r.outcome).toBe('versioned');
			expect(storage.nodes.get(r.handle)?.ov).toBe('OLDHANDL');
		});
		it('replace moves the old file to the rubbish bin after the new one exists', async () => {
			const moved: string[] = [];
			const r = await upload(randomBytes(10), {
				conflict: {
					policy: 'replace',
					existing,
					moveToRubbish: async (h) => {
						expect(storage.nodes.size).toBe(1);
						moved.push(h);
					},
				},
			});
			expect(r.outcome).toBe('replaced');
			expect(moved).toEqual(['OLDHANDL']);
		});
		it('keepBoth picks a free name', async () => {
			const r = await upload(randomBytes(10), {
				conflict: { policy: 'keepBoth', existing, siblingNames: ['a.bin', 'a (1).bin'] },
			});
			expect(r.name).toBe('a (2).bin');
		});
	});

	describe('download', () => {
		let handle: string;
		let key: Buffer;
		let data: Buffer;
		beforeEach(async () => {
			data = randomBytes(6 * MIB + 333);
			const r = await upload(data);
			handle = r.handle;
			key = r.nodeKey;
			storage.gets = [];
		});

		it('fetches ranges in parallel and delivers them in order', async () => {
			const d = await openDownload(storage, { source: { handle }, key, requestBytes: 512 * KIB, concurrency: 4 });
			const got = await collect(d);
			expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
			expect(storage.gets.length).toBeGreaterThan(8);
		});

		it('serves a byte range without a MAC check and says so', async () => {
			const d = await openDownload(storage, { source: { handle }, key, range: { start: 1_000_001, end: 3_500_000 } });
			expect(d.macChecked).toBe(false);
			expect(d.length).toBe(2_500_000);
			expect((await collect(d)).equals(data.subarray(1_000_001, 3_500_001))).toBe(true);
		});

		it('retries a truncated range and a dropped connection', async () => {
			storage.downloadFaults.push({ kind: 'truncate', keep: 1000 }, { kind: 'drop', after: 5000 }, { kind: 'status', status: 503 });
			const d = await openDownload(storage, { source: { handle }, key, concurrency: 1, requestBytes: MIB });
			expect((await collect(d)).equals(data)).toBe(true);
		});

		it('fails with the integrity error on a flipped bit', async () => {
			storage.downloadFaults.push({ kind: 'flip', at: 12345 });
			const d = await openDownload(storage, { source: { handle }, key, concurrency: 1 });
			await expect(collect(d)).rejects.toMatchObject({ name: 'TransferIntegrityError', reason: 'mac-mismatch' });
		});

		it('fails with the integrity error when the body stays truncated', async () => {
			for (let i = 0; i < 20; i++) storage.downloadFaults.push({ kind: 'truncate', keep: 10 });
			const d = await openDownload(storage, { source: { handle }, key, concurrency: 1, maxRangeRetries: 2 });
			const error = await collect(d).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(TransferIntegrityError);
			expect(error).toMatchObject({ reason: 'truncated' });
		});

		it('turns 509 into a transfer-quota error carrying the wait', async () => {
			storage.downloadFaults.push({ kind: 'status', status: 509, headers: { 'X-MEGA-Time-Left': '1234' } });
			const d = await openDownload(storage, { source: { handle }, key, concurrency: 1 });
			const error = await collect(d).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(TransferQuotaError);
			expect(error).toMatchObject({ waitSeconds: 1234, code: 'ETRANSFERQUOTA' });
		});

		it('stops fetching when the consumer destroys the stream early, and on abort', async () => {
			const d = await openDownload(storage, { source: { handle }, key, requestBytes: 256 * KIB, concurrency: 2 });
			await new Promise<void>((resolve) => d.once('data', () => resolve()));
			d.destroy();
			await new Promise((resolve) => setTimeout(resolve, 100));
			const fetched = storage.gets.length;
			expect(fetched).toBeLessThan(8);
			await new Promise((resolve) => setTimeout(resolve, 100));
			expect(storage.gets.length).toBe(fetched);

			const controller = new AbortController();
			const aborted = await openDownload(storage, { source: { handle }, key, signal: controller.signal });
			controller.abort();
			await expect(collect(aborted)).rejects.toMatchObject({ code: 'EABORTED' });
		});

		it('maps an over-quota `g` reply to the transfer-quota error before any byte moves', async () => {
			storage.getReply = { e: -17, tl: 120 };
			await expect(openDownload(storage, { source: { handle }, key })).rejects.toMatchObject({ code: 'ETRANSFERQUOTA', waitSeconds: 120 });
			storage.getReply = { e: -9 };
			await expect(openDownload(storage, { source: { handle }, key })).rejects.toMatchObject({ code: 'ENOENT' });
			expect(storage.gets).toHaveLength(0);
		});

		it('rejects a wrong key length and ranges outside the file', async () => {
			await expect(openDownload(storage, { source: { handle }, key: key.subarray(0, 16) })).rejects.toMatchObject({ code: 'EKEY' });
			await expect(openDownload(storage, { source: { handle }, key, range: { start: data.length } })).rejects.toMatchObject({
				code: 'ERANGE',
			});
		});
	});
});
