process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { Readable } from 'node:stream';
import { MIB, S4InputError, S4ServiceError, createS4Client, planParts, uploadObject } from '../../../core/s4';
import { FakeS3 } from './fake-s3';

/** Deterministic bytes, handed out in odd-sized chunks so the uploader has to re-chunk. */
function bytes(size: number): Buffer {
	const out = Buffer.alloc(size);
	for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >> 11)) & 0xff;
	return out;
}
function oddChunks(data: Buffer): Readable {
	const pieces: Buffer[] = [];
	for (let offset = 0, step = 777_777; offset < data.length; offset += step) pieces.push(data.subarray(offset, offset + step));
	return Readable.from(pieces);
}

function setup() {
	const fake = new FakeS3();
	const client = createS4Client({ accessKeyId: 'AKID', secretAccessKey: 'secret', endpoint: 'http://s4.test', requestHandler: fake.handler });
	return { fake, client };
}

/** Part numbers per upload id, in the order they were sent. */
function partsByUpload(fake: FakeS3): Map<string, number[]> {
	const map = new Map<string, number[]>();
	for (const r of fake.requests.filter((r) => r.operation === 'UploadPart')) {
		const id = String(r.query.uploadId);
		map.set(id, [...(map.get(id) ?? []), Number(r.query.partNumber)]);
	}
	return map;
}

describe('planParts', () => {
	test('fixed part size, every part but the last equal', () => {
		expect(planParts(20 * MIB + 5, 8 * MIB)).toEqual({ partSize: 8 * MIB, partCount: 3, lastPartSize: 4 * MIB + 5, multipart: true });
		expect(planParts(16 * MIB, 8 * MIB)).toEqual({ partSize: 8 * MIB, partCount: 2, lastPartSize: 8 * MIB, multipart: true });
	});

	test('a body that fits in one part is a single PutObject', () => {
		expect(planParts(8 * MIB, 8 * MIB)).toMatchObject({ multipart: false, partCount: 1 });
		expect(planParts(0)).toMatchObject({ multipart: false, partCount: 1, lastPartSize: 0 });
	});

	test('the part size grows in whole MiB when 10,000 parts would not be enough', () => {
		const plan = planParts(100 * 1024 * MIB, 5 * MIB);
		expect(plan.partSize % MIB).toBe(0);
		expect(plan.partCount).toBeLessThanOrEqual(10_000);
		expect(plan.partSize).toBe(11 * MIB);
	});

	test('parts under 5 MiB are refused', () => {
		expect(() => planParts(100, 5 * MIB - 1)).toThrow(S4InputError);
		expect(() => planParts(100, 5 * MIB - 1)).toThrow(/at least 5 MiB/);
	});
});

describe('uploadObject against a fake S3', () => {
	test('a large stream goes up in equal fixed-size parts numbered 1..N, then Complete', async () => {
		const { fake, client } = setup();
		const data = bytes(21 * MIB + 3);
		const result = await uploadObject(client, { bucket: 'b-1', key: 'big.bin', source: { size: data.length, open: () => oddChunks(data) }, partSize: 5 * MIB, queueSize: 3 });
		const parts = fake.requests.filter((r) => r.operation === 'UploadPart');
		expect(parts.map((p) => p.bodySize)).toEqual([5 * MIB, 5 * MIB, 5 * MIB, 5 * MIB, MIB + 3]);
		expect(parts.map((p) => Number(p.query.partNumber)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
		expect(fake.operations().filter((o) => o !== 'UploadPart')).toEqual(['CreateMultipartUpload', 'CompleteMultipartUpload']);
		expect(fake.objects.get('b-1/big.bin')?.body.equals(data)).toBe(true);
		expect(result).toMatchObject({ multipart: true, parts: 5, attempts: 1, partSize: 5 * MIB });
	});

	test('a body that fits in one part goes in one streamed PutObject with its length', async () => {
		const { fake, client } = setup();
		const data = bytes(3 * MIB);
		const result = await uploadObject(client, { bucket: 'b-1', key: 'small.bin', source: { size: data.length, open: () => oddChunks(data) }, contentType: 'application/x-test', metadata: { origin: 'unit' } });
		expect(fake.operations()).toEqual(['PutObject']);
		const [put] = fake.requests;
		expect(put.headers['content-length']).toBe(String(3 * MIB));
		expect(put.headers['content-type']).toBe('application/x-test');
		expect(put.headers['x-amz-meta-origin']).toBe('unit');
		expect(put.body.equals(data)).toBe(true);
		expect(result).toMatchObject({ multipart: false, parts: 1, etag: '"put-etag"' });
	});

	test('a zero-byte body is an empty PutObject', async () => {
		const { fake, client } = setup();
		await uploadObject(client, { bucket: 'b-1', key: 'empty', source: { size: 0, open: () => Readable.from([]) } });
		expect(fake.operations()).toEqual(['PutObject']);
		expect(fake.requests[0].bodySize).toBe(0);
	});

	test('a failed part aborts the upload and restarts it from the source; no part number is sent twice in one upload', async () => {
		const { fake, client } = setup();
		fake.partFailures.push({ partNumber: 2, status: 500, code: 'InternalError' });
		const data = bytes(16 * MIB + 11);
		let opens = 0;
		const result = await uploadObject(client, {
			bucket: 'b-1',
			key: 'restart.bin',
			source: { size: data.length, open: () => (opens++, oddChunks(data)) },
			partSize: 5 * MIB,
			queueSize: 1,
			retryDelayMs: 1,
		});
		expect(opens).toBe(2);
		expect(result.attempts).toBe(2);
		const byUpload = partsByUpload(fake);
		expect(byUpload.size).toBe(2);
		for (const numbers of byUpload.values()) expect(new Set(numbers).size).toBe(numbers.length);
		const [first, second] = [...fake.uploads.values()];
		expect(first.aborted).toBe(true);
		expect(second.completed).toBe(true);
		expect(fake.operations()).toContain('AbortMultipartUpload');
		expect(fake.objects.get('b-1/restart.bin')?.body.equals(data)).toBe(true);
	});

	test('a part failure stops reading the source early instead of sending the remaining parts', async () => {
		const { fake, client } = setup();
		fake.partFailures.push({ partNumber: 1, status: 403, code: 'AccessDenied' });
		const data = bytes(40 * MIB);
		await expect(
			uploadObject(client, { bucket: 'b-1', key: 'denied.bin', source: { size: data.length, open: () => oddChunks(data) }, partSize: 5 * MIB, queueSize: 1, retryDelayMs: 1 }),
		).rejects.toMatchObject({ code: 'AccessDenied', cause: 'access-denied' });
		expect(fake.requests.filter((r) => r.operation === 'UploadPart').length).toBeLessThan(3);
		expect(fake.operations()).toContain('AbortMultipartUpload');
		expect(fake.operations().filter((o) => o === 'CreateMultipartUpload')).toHaveLength(1);
	});

	test('retryable failures give up after maxAttempts, aborting every upload they started', async () => {
		const { fake, client } = setup();
		fake.partFailures.push({ partNumber: 1, status: 503, code: 'SlowDown', times: 10 });
		const data = bytes(11 * MIB);
		let opens = 0;
		const error = await uploadObject(client, {
			bucket: 'b-1',
			key: 'slow.bin',
			source: { size: data.length, open: () => (opens++, oddChunks(data)) },
			partSize: 5 * MIB,
			maxAttempts: 3,
			retryDelayMs: 1,
		}).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(S4ServiceError);
		expect(error).toMatchObject({ code: 'SlowDown', cause: 'rate-limited', retryable: true });
		expect((error as Error).message).toMatch(/after 3 upload attempts/);
		expect(opens).toBe(3);
		expect([...fake.uploads.values()].every((u) => u.aborted)).toBe(true);
	});

	test('a key ending in "/" with a body is refused before any request', async () => {
		const { fake, client } = setup();
		await expect(uploadObject(client, { bucket: 'b-1', key: 'folder/', source: Buffer.from('x') })).rejects.toMatchObject({ rule: 'key-folder-marker-body' });
		await expect(uploadObject(client, { bucket: 'Bad_Bucket', key: 'a', source: Buffer.from('x') })).rejects.toMatchObject({ rule: 'bucket-lowercase' });
		expect(fake.requests).toHaveLength(0);
	});

	test('a Buffer source larger than a part is sliced into equal parts without copying the whole', async () => {
		const { fake, client } = setup();
		const data = bytes(12 * MIB);
		await uploadObject(client, { bucket: 'b-1', key: 'buf.bin', source: data, partSize: 5 * MIB });
		expect(fake.requests.filter((r) => r.operation === 'UploadPart').map((r) => r.bodySize)).toEqual([5 * MIB, 5 * MIB, 2 * MIB]);
	});
});
