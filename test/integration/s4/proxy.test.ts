/**
 * The strict S4 proxy refuses what real S4 refuses and the gateway tolerates, each shape sent raw; and our upload
 * path survives a failed part without ever re-sending a part number.
 */
import http from 'node:http';
import { Readable } from 'node:stream';
import {
	CompleteMultipartUploadCommand,
	CreateBucketCommand,
	CreateMultipartUploadCommand,
	GetObjectCommand,
	PutObjectCommand,
	S3Client,
	UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createBucket, createS4Client, destroyS4Client, downloadObject, uploadObject } from '../../../core/s4';
import { SANDBOX_START_TIMEOUT_MS, startS4TestEnv, type S4TestEnv } from './sandbox-env';

const MIB = 1024 * 1024;
let env: S4TestEnv;
beforeAll(async () => {
	env = await startS4TestEnv();
	await createBucket(env.client, 'strict');
}, SANDBOX_START_TIMEOUT_MS);
afterAll(async () => {
	await env?.stop();
});
beforeEach(() => env.proxy.reset());

/** The stock SDK (default checksum mode) pointed at `endpoint`: what a naive client would send. */
function stockClient(endpoint: string, maxAttempts = 3): S3Client {
	return new S3Client({
		region: env.region,
		endpoint,
		forcePathStyle: true,
		maxAttempts,
		credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
	});
}

interface RawAnswer {
	status: number;
	rule?: string;
	body: string;
}
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<RawAnswer> {
	const url = new URL(path, env.endpoint);
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method, headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, rule: res.headers['x-s4-proxy-rule'] as string | undefined, body: Buffer.concat(chunks).toString() }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

async function errorOf(promise: Promise<unknown>): Promise<{ name?: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } }> {
	try {
		await promise;
	} catch (error) {
		return error as never;
	}
	throw new Error('expected a rejection');
}

describe('forbidden shapes, sent raw to the proxy', () => {
	test.each([
		['PUT', '/strict/a.txt', { 'x-amz-checksum-crc32': 'AAAAAA==' }, 'x', 501, 'checksum-header'],
		['PUT', '/strict/a.txt', { 'x-amz-sdk-checksum-algorithm': 'CRC32' }, 'x', 501, 'checksum-header'],
		['POST', '/strict/a.txt?uploads', { 'x-amz-checksum-algorithm': 'CRC32' }, undefined, 501, 'checksum-header'],
		['GET', '/strict/a.txt', { 'x-amz-checksum-mode': 'ENABLED' }, undefined, 501, 'checksum-header'],
		['PUT', '/strict/a.txt?x-amz-checksum-crc32=AAAAAA%3D%3D&x-amz-sdk-checksum-algorithm=CRC32', {}, 'x', 501, 'checksum-query'],
		['PUT', '/strict/a.txt', { 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-decoded-content-length': '1' }, '1\r\nx\r\n0\r\n\r\n', 501, 'aws-chunked'],
		['GET', '/strict/a.txt?response-content-disposition=attachment', {}, undefined, 400, 'response-override'],
		['GET', '/strict/a.txt?response-expires=0', {}, undefined, 400, 'response-override'],
		['PUT', '/strict-new', {}, '<CreateBucketConfiguration><LocationConstraint>eu-central-1</LocationConstraint></CreateBucketConfiguration>', 501, 'create-bucket-body'],
		['POST', '/strict?delete', {}, '<Delete><Object><Key>a</Key></Object></Delete>', 400, 'delete-objects-needs-checksum'],
		['POST', '/strict?delete', { 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-checksum-sha256': 'x' }, '<Delete/>', 400, 'delete-objects-one-checksum'],
	])('%s %s %j (body %j) is refused: %i %s', async (method, path, headers, body, status, rule) => {
		const answer = await raw(method, path, headers as Record<string, string>, body);
		expect(answer.status).toBe(status);
		expect(answer.rule).toBe(rule);
		if (method !== 'HEAD') expect(answer.body).toMatch(/<Error><Code>\w+<\/Code><Message>.+<\/Message>/);
		expect(env.proxy.rejections.map((r) => r.rule)).toEqual([rule]);
		// Refused at the proxy: nothing reached the gateway.
		expect(env.proxy.requests[0].status).toBe(status);
	});
});

describe('what the stock SDK sends: tolerated by the gateway, refused by the proxy', () => {
	test('default checksum headers on PutObject', async () => {
		expect((await stockClient(env.gatewayEndpoint).send(new PutObjectCommand({ Bucket: 'strict', Key: 'crc.txt', Body: Buffer.from('x') }))).ETag).toBeTruthy();
		const error = await errorOf(stockClient(env.endpoint).send(new PutObjectCommand({ Bucket: 'strict', Key: 'crc.txt', Body: Buffer.from('x') })));
		expect(error.$metadata?.httpStatusCode).toBe(501);
		expect(env.proxy.rejections.map((r) => r.rule)).toEqual(['checksum-header']);
	});

	test('aws-chunked streaming body from a Readable', async () => {
		const error = await errorOf(stockClient(env.endpoint, 1).send(new PutObjectCommand({ Bucket: 'strict', Key: 'chunked.txt', Body: Readable.from([Buffer.from('hello')]), ContentLength: 5 })));
		expect(error.$metadata?.httpStatusCode).toBe(501);
		expect(env.proxy.rejections.map((r) => r.rule)).toEqual(['aws-chunked']);
	});

	test('the LocationConstraint body the SDK adds to CreateBucket outside us-east-1', async () => {
		await stockClient(env.gatewayEndpoint).send(new CreateBucketCommand({ Bucket: 'strict-gw-only' }));
		const error = await errorOf(stockClient(env.endpoint).send(new CreateBucketCommand({ Bucket: 'strict-lc' })));
		expect(error.$metadata?.httpStatusCode).toBe(501);
		expect(env.proxy.rejections.map((r) => r.rule)).toEqual(['create-bucket-body']);
		await createBucket(env.client, 'strict-lc');
		expect(env.proxy.rejections).toHaveLength(1);
	});

	test('a presigned PUT URL carrying the checksum of an empty body', async () => {
		const url = await getSignedUrl(stockClient(env.endpoint), new PutObjectCommand({ Bucket: 'strict', Key: 'signed.txt' }), { expiresIn: 60 });
		expect(url).toMatch(/x-amz-checksum-crc32=/);
		const res = await fetch(url, { method: 'PUT', body: 'data' });
		expect(res.status).toBe(501);
		expect(res.headers.get('x-s4-proxy-rule')).toBe('checksum-query');
	});

	test('a presigned GET forcing a download name', async () => {
		await uploadObject(env.client, { bucket: 'strict', key: 'named.txt', source: Buffer.from('x') });
		const command = new GetObjectCommand({ Bucket: 'strict', Key: 'named.txt', ResponseContentDisposition: 'attachment; filename="x.txt"' });
		// Signed without checksum parameters (WHEN_REQUIRED), so only the disposition override differs.
		const gatewayClient = createS4Client({ ...env.credential, endpoint: env.gatewayEndpoint });
		const direct = await getSignedUrl(gatewayClient.s3, command, { expiresIn: 60 });
		expect((await fetch(direct)).status).toBe(200);
		destroyS4Client(gatewayClient);
		const viaProxy = await getSignedUrl(env.client.s3, command, { expiresIn: 60 });
		const res = await fetch(viaProxy);
		expect(res.status).toBe(400);
		expect(res.headers.get('x-s4-proxy-rule')).toBe('response-override');
	});
});

describe('multipart rules (each violation aborts the whole upload, as on S4)', () => {
	async function start(key: string): Promise<string> {
		const created = await env.client.uploadS3.send(new CreateMultipartUploadCommand({ Bucket: 'strict', Key: key }));
		return created.UploadId as string;
	}
	const part = (key: string, uploadId: string, partNumber: number, size: number) =>
		env.client.uploadS3.send(new UploadPartCommand({ Bucket: 'strict', Key: key, UploadId: uploadId, PartNumber: partNumber, Body: Buffer.alloc(size, partNumber) }));

	test('a part under 5 MiB that is not the last', async () => {
		const id = await start('mp/small');
		await part('mp/small', id, 1, MIB);
		const error = await errorOf(part('mp/small', id, 2, MIB));
		expect(error.name).toBe('EntityTooSmall');
		expect(env.proxy.rejections.map((r) => r.rule)).toEqual(['part-too-small']);
		expect((await errorOf(part('mp/small', id, 3, MIB))).name).toBe('NoSuchUpload');
	});

	test('parts of unequal size, and a last part larger than the others', async () => {
		const id = await start('mp/unequal');
		await part('mp/unequal', id, 1, 6 * MIB);
		await part('mp/unequal', id, 2, 5 * MIB);
		expect((await errorOf(part('mp/unequal', id, 3, 5 * MIB))).name).toBe('InvalidPart');
		const id2 = await start('mp/larger');
		await part('mp/larger', id2, 1, 5 * MIB);
		expect((await errorOf(part('mp/larger', id2, 2, 6 * MIB))).name).toBe('InvalidPart');
		expect(env.proxy.rejections.map((r) => r.rule)).toEqual(['part-sizes-unequal', 'last-part-larger']);
	});

	test('a re-sent part number', async () => {
		const id = await start('mp/resent');
		await part('mp/resent', id, 1, 5 * MIB);
		expect((await errorOf(part('mp/resent', id, 1, 5 * MIB))).name).toBe('InvalidPart');
		expect(env.proxy.rejections.map((r) => r.rule)).toEqual(['part-resent']);
	});

	test('gaps at Complete', async () => {
		const id = await start('mp/gap');
		const first = await part('mp/gap', id, 1, 5 * MIB);
		const third = await part('mp/gap', id, 3, MIB);
		const error = await errorOf(
			env.client.uploadS3.send(
				new CompleteMultipartUploadCommand({
					Bucket: 'strict',
					Key: 'mp/gap',
					UploadId: id,
					MultipartUpload: { Parts: [{ PartNumber: 1, ETag: first.ETag }, { PartNumber: 3, ETag: third.ETag }] },
				}),
			),
		);
		expect(error.name).toBe('InvalidPart');
		expect(env.proxy.rejections.map((r) => r.rule)).toEqual(['complete-gap']);
	});

	test('a naive client that lets the SDK retry a failed part is caught re-sending the part number', async () => {
		env.proxy.faults.failUploadPart({ partNumber: 2 });
		const naive = new Upload({
			client: new S3Client({
				region: env.region,
				endpoint: env.endpoint,
				forcePathStyle: true,
				requestChecksumCalculation: 'WHEN_REQUIRED',
				maxAttempts: 3,
				credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
			}),
			params: { Bucket: 'strict', Key: 'mp/naive', Body: Buffer.alloc(12 * MIB, 1) },
			partSize: 5 * MIB,
			queueSize: 1,
		});
		await expect(naive.done()).rejects.toBeDefined();
		// The SDK retried part 2 under the same number: refused, the upload aborted, lib-storage's own abort finds it gone.
		expect(env.proxy.rejections.map((r) => r.rule)).toEqual(['injected-part-fault', 'part-resent', 'upload-gone']);
	});

	test('our upload restarts from the source on a failed part: new upload id, no part number twice, old upload aborted', async () => {
		env.proxy.faults.failUploadPart({ partNumber: 2 });
		const data = Buffer.alloc(13 * MIB);
		for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);
		let opens = 0;
		const result = await uploadObject(env.client, {
			bucket: 'strict',
			key: 'mp/ours',
			source: { size: data.length, open: () => (opens++, Readable.from([data.subarray(0, 7 * MIB), data.subarray(7 * MIB)])) },
			partSize: 5 * MIB,
			queueSize: 2,
			retryDelayMs: 10,
		});
		expect(result).toMatchObject({ attempts: 2, multipart: true, parts: 3 });
		expect(opens).toBe(2);
		expect(env.proxy.rejections.map((r) => r.rule)).toEqual(['injected-part-fault']);
		const ops = env.proxy.requests.map((r) => r.operation);
		expect(ops.filter((o) => o === 'CreateMultipartUpload')).toHaveLength(2);
		expect(ops.filter((o) => o === 'AbortMultipartUpload')).toHaveLength(1);
		const perUpload = new Map<string, number[]>();
		for (const r of env.proxy.requests.filter((r) => r.operation === 'UploadPart')) {
			perUpload.set(r.uploadId as string, [...(perUpload.get(r.uploadId as string) ?? []), r.partNumber as number]);
		}
		for (const numbers of perUpload.values()) expect(new Set(numbers).size).toBe(numbers.length);
		const back = await downloadObject(env.client, { bucket: 'strict', key: 'mp/ours' });
		const chunks: Buffer[] = [];
		for await (const c of back.body) chunks.push(c as Buffer);
		expect(Buffer.concat(chunks).equals(data)).toBe(true);
	});

	test('a source stream that breaks mid-upload fails the upload in words and aborts the multipart upload', async () => {
		async function* broken() {
			yield Buffer.alloc(6 * MIB, 1);
			yield Buffer.alloc(6 * MIB, 2);
			throw new Error('disk went away');
		}
		const error = await uploadObject(env.client, { bucket: 'strict', key: 'mp/broken', source: { size: 20 * MIB, open: () => Readable.from(broken()) }, partSize: 5 * MIB, retryDelayMs: 1 }).catch(
			(e: unknown) => e,
		);
		expect(error).toMatchObject({ message: 'Could not upload the object: disk went away', retryable: false });
		const ops = env.proxy.requests.map((r) => r.operation);
		expect(ops.filter((o) => o === 'CreateMultipartUpload')).toHaveLength(1);
		expect(ops).toContain('AbortMultipartUpload');
		expect(ops).not.toContain('CompleteMultipartUpload');
	});
});
