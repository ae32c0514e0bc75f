import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
	S4InputError,
	S4NetworkError,
	S4ServiceError,
	copyObject,
	createBucket,
	createFolder,
	createS4Client,
	deleteBucket,
	deleteObject,
	deleteObjects,
	deletePrefix,
	downloadObject,
	headObject,
	listBuckets,
	listObjects,
	listObjectsPage,
	moveObject,
	presignUrl,
	uploadObject,
} from '../../../core/s4';
import { SANDBOX_START_TIMEOUT_MS, startS4TestEnv, type S4TestEnv } from './sandbox-env';

let env: S4TestEnv;
beforeAll(async () => {
	env = await startS4TestEnv();
	await createBucket(env.client, 'ops-main');
	await createBucket(env.client, 'ops-other');
}, SANDBOX_START_TIMEOUT_MS);
afterAll(async () => {
	await env?.stop();
});
afterEach(() => {
	// Nothing our client sends may be refused by the strict proxy.
	expect(env.proxy.rejections).toEqual([]);
});

async function text(body: Readable): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const c of body) chunks.push(c as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

async function putText(bucket: string, key: string, body: string, extra: Partial<Parameters<typeof uploadObject>[1]> = {}) {
	return uploadObject(env.client, { bucket, key, source: Buffer.from(body), contentType: 'text/plain', ...extra });
}

/** Runs `worker` over `items` with a few requests in flight. */
async function pool<T>(items: T[], concurrency: number, worker: (item: T) => Promise<unknown>): Promise<void> {
	let next = 0;
	await Promise.all(Array.from({ length: concurrency }, async () => {
		while (next < items.length) await worker(items[next++]);
	}));
}

describe('buckets', () => {
	test('create, list, duplicate, delete', async () => {
		await createBucket(env.client, 'ops-temp.dotted');
		expect((await listBuckets(env.client)).map((b) => b.name)).toEqual(expect.arrayContaining(['ops-main', 'ops-other', 'ops-temp.dotted']));
		// S4 answers BucketAlreadyOwnedByYou (RGW would answer 200; the strict proxy answers as S4 does).
		await expect(createBucket(env.client, 'ops-temp.dotted')).rejects.toMatchObject({ code: 'BucketAlreadyOwnedByYou', cause: 'conflict', httpStatus: 409 });
		expect(env.proxy.rejections.map((r) => r.rule)).toEqual(['bucket-exists']);
		env.proxy.rejections.length = 0;
		await deleteBucket(env.client, 'ops-temp.dotted');
		expect((await listBuckets(env.client)).map((b) => b.name)).not.toContain('ops-temp.dotted');
	});

	test('deleting a bucket that holds objects says it is not empty', async () => {
		await createBucket(env.client, 'ops-full');
		await putText('ops-full', 'x.txt', 'x');
		await expect(deleteBucket(env.client, 'ops-full')).rejects.toMatchObject({ code: 'BucketNotEmpty', message: 'Bucket "ops-full" is not empty' });
	});

	test('a bad bucket name is refused before any request', async () => {
		const before = env.proxy.requests.length;
		await expect(createBucket(env.client, 'Bad_Name')).rejects.toBeInstanceOf(S4InputError);
		expect(env.proxy.requests.length).toBe(before);
	});
});

describe('objects', () => {
	test('upload with type and metadata, then get, download and range', async () => {
		await putText('ops-main', 'docs/hello world+.txt', 'Hello MEGA S4!', { metadata: { project: 'n8n' }, contentDisposition: 'attachment; filename="hello.txt"' });
		const info = await headObject(env.client, 'ops-main', 'docs/hello world+.txt');
		expect(info).toMatchObject({ size: 14, contentType: 'text/plain', metadata: { project: 'n8n' }, contentDisposition: 'attachment; filename="hello.txt"' });
		expect(info.etag).toBe(`"${createHash('md5').update('Hello MEGA S4!').digest('hex')}"`);
		expect(Date.parse(info.lastModified ?? '')).toBeGreaterThan(Date.now() - 600_000);
		const full = await downloadObject(env.client, { bucket: 'ops-main', key: 'docs/hello world+.txt' });
		expect(await text(full.body)).toBe('Hello MEGA S4!');
		const part = await downloadObject(env.client, { bucket: 'ops-main', key: 'docs/hello world+.txt', range: { start: 6, end: 9 } });
		expect(part).toMatchObject({ size: 4, totalSize: 14, contentRange: 'bytes 6-9/14' });
		expect(await text(part.body)).toBe('MEGA');
	});

	test('a missing object is a not-found error naming bucket and key', async () => {
		await expect(headObject(env.client, 'ops-main', 'nope.txt')).rejects.toMatchObject({ cause: 'not-found' });
		await expect(downloadObject(env.client, { bucket: 'ops-main', key: 'nope.txt' })).rejects.toMatchObject({
			code: 'NoSuchKey',
			message: 'Object "nope.txt" does not exist in bucket "ops-main"',
		});
		await expect(downloadObject(env.client, { bucket: 'ops-missing', key: 'a' })).rejects.toMatchObject({ code: 'NoSuchBucket' });
	});

	test('copy within and across buckets, with COPY and REPLACE metadata', async () => {
		await putText('ops-main', 'copy/src.md', '# title', { contentType: 'text/markdown', metadata: { v: '1' } });
		await copyObject(env.client, { sourceBucket: 'ops-main', sourceKey: 'copy/src.md', bucket: 'ops-main', key: 'copy/same.md' });
		expect(await headObject(env.client, 'ops-main', 'copy/same.md')).toMatchObject({ contentType: 'text/markdown', metadata: { v: '1' } });
		await copyObject(env.client, { sourceBucket: 'ops-main', sourceKey: 'copy/src.md', bucket: 'ops-other', key: 'from-main/ü +.md', metadataDirective: 'REPLACE', metadata: { v: '2' } });
		const copied = await headObject(env.client, 'ops-other', 'from-main/ü +.md');
		expect(copied).toMatchObject({ size: 7, contentType: 'text/markdown', metadata: { v: '2' } });
		await expect(copyObject(env.client, { sourceBucket: 'ops-main', sourceKey: 'copy/src.md', bucket: 'ops-main', key: 'copy/src.md' })).rejects.toMatchObject({ rule: 'copy-onto-itself' });
	});

	test('move = copy + delete of the source', async () => {
		await putText('ops-main', 'move/a.txt', 'moving');
		await moveObject(env.client, { sourceBucket: 'ops-main', sourceKey: 'move/a.txt', bucket: 'ops-other', key: 'moved/a.txt' });
		expect((await headObject(env.client, 'ops-other', 'moved/a.txt')).size).toBe(6);
		await expect(headObject(env.client, 'ops-main', 'move/a.txt')).rejects.toMatchObject({ cause: 'not-found' });
	});

	test('delete one and delete many in a batch (missing keys count as deleted)', async () => {
		await Promise.all(['del/1', 'del/2', 'del/3', 'del/keep'].map((k) => putText('ops-main', k, k)));
		expect(await deleteObject(env.client, 'ops-main', 'del/1')).toEqual({ bucket: 'ops-main', key: 'del/1', deleted: true });
		const many = await deleteObjects(env.client, 'ops-main', ['del/2', 'del/3', 'del/never-existed']);
		expect(many.deleted.sort()).toEqual(['del/2', 'del/3', 'del/never-existed']);
		expect(many.errors).toEqual([]);
		expect((await listObjects(env.client, { bucket: 'ops-main', prefix: 'del/' })).map((e) => e.key)).toEqual(['del/keep']);
	});
});

describe('listing', () => {
	beforeAll(async () => {
		const keys = ['tree/root.txt', 'tree/a/1.txt', 'tree/a/2.txt', 'tree/a/deep/3.txt', 'tree/b/4.txt'];
		await Promise.all(keys.map((k) => putText('ops-main', k, k)));
		await createFolder(env.client, 'ops-main', 'tree/empty');
	});

	test('prefix + delimiter returns folders as folders, next to the files', async () => {
		const entries = await listObjects(env.client, { bucket: 'ops-main', prefix: 'tree/', delimiter: '/' });
		expect(entries.map((e) => `${e.type}:${e.key}`)).toEqual(['folder:tree/a/', 'folder:tree/b/', 'folder:tree/empty/', 'object:tree/root.txt']);
		expect(entries.find((e) => e.key === 'tree/a/')).toMatchObject({ name: 'a/' });
	});

	test('without a delimiter the listing is recursive', async () => {
		const entries = await listObjects(env.client, { bucket: 'ops-main', prefix: 'tree/a/' });
		expect(entries.map((e) => e.key)).toEqual(['tree/a/1.txt', 'tree/a/2.txt', 'tree/a/deep/3.txt']);
		expect(entries.every((e) => e.type === 'object')).toBe(true);
	});

	test('a limit stops the listing early; startAfter skips', async () => {
		expect(await listObjects(env.client, { bucket: 'ops-main', prefix: 'tree/', limit: 2 })).toHaveLength(2);
		expect((await listObjects(env.client, { bucket: 'ops-main', prefix: 'tree/a/', startAfter: 'tree/a/1.txt' })).map((e) => e.key)).toEqual(['tree/a/2.txt', 'tree/a/deep/3.txt']);
	});

	test('folder delete is recursive and leaves siblings alone', async () => {
		const result = await deletePrefix(env.client, 'ops-main', 'tree/a');
		expect(result).toMatchObject({ prefix: 'tree/a/', deletedCount: 3, errors: [] });
		expect((await listObjects(env.client, { bucket: 'ops-main', prefix: 'tree/' })).map((e) => e.key)).toEqual(['tree/b/4.txt', 'tree/empty/', 'tree/root.txt']);
	});
});

describe('pagination past 1,000 keys', () => {
	const count = 1_234;
	beforeAll(async () => {
		await createBucket(env.client, 'ops-many');
		const keys = Array.from({ length: count }, (_, i) => `k/${String(i).padStart(5, '0')}`);
		await pool(keys, 16, (key) => putText('ops-many', key, ''));
	}, 180_000);

	test('a single page stops at 1,000 with a continuation token', async () => {
		const page = await listObjectsPage(env.client, { bucket: 'ops-many', prefix: 'k/' });
		expect(page.entries).toHaveLength(1000);
		expect(page.isTruncated).toBe(true);
		expect(page.nextContinuationToken).toBeTruthy();
	});

	test('Return All follows continuation tokens to every key, in order, without duplicates', async () => {
		const before = env.proxy.requests.filter((r) => r.operation === 'ListObjects').length;
		const entries = await listObjects(env.client, { bucket: 'ops-many', prefix: 'k/' });
		expect(entries).toHaveLength(count);
		expect(new Set(entries.map((e) => e.key)).size).toBe(count);
		expect(entries[count - 1].key).toBe(`k/${String(count - 1).padStart(5, '0')}`);
		expect(env.proxy.requests.filter((r) => r.operation === 'ListObjects').length - before).toBe(2);
	});

	test('a limit above one page is honoured exactly', async () => {
		expect(await listObjects(env.client, { bucket: 'ops-many', prefix: 'k/', limit: 1_100 })).toHaveLength(1_100);
	});

	test('deleting a folder of 1,234 objects goes in batches of 1,000', async () => {
		const before = env.proxy.requests.filter((r) => r.operation === 'DeleteObjects').length;
		const result = await deletePrefix(env.client, 'ops-many', 'k/');
		expect(result.deletedCount).toBe(count);
		expect(env.proxy.requests.filter((r) => r.operation === 'DeleteObjects').length - before).toBe(2);
		expect(await listObjects(env.client, { bucket: 'ops-many' })).toEqual([]);
	});
});

describe('credentials and endpoints', () => {
	test('a wrong secret is rejected as SignatureDoesNotMatch, with a plain explanation', async () => {
		const wrong = createS4Client({ ...env.credential, secretAccessKey: 'not-the-secret' });
		const error = await listBuckets(wrong).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(S4ServiceError);
		expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', cause: 'credential-invalid', httpStatus: 403 });
		expect((error as S4ServiceError).hint).toMatch(/MEGA Pro plan/);
		await expect(uploadObject(wrong, { bucket: 'ops-main', key: 'evil2.txt', source: Buffer.from('x') })).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
		await expect(headObject(env.client, 'ops-main', 'evil2.txt')).rejects.toMatchObject({ cause: 'not-found' });
	});

	test('an unknown access key is rejected as InvalidAccessKeyId', async () => {
		const unknown = createS4Client({ ...env.credential, accessKeyId: 'NOSUCHKEY' });
		await expect(listBuckets(unknown)).rejects.toMatchObject({ code: 'InvalidAccessKeyId', cause: 'credential-invalid' });
	});

	test('an unreachable endpoint is a network error naming it', async () => {
		const nowhere = createS4Client({ ...env.credential, endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
		const error = await listBuckets(nowhere).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(S4NetworkError);
		expect((error as Error).message).toBe('The MEGA S4 endpoint http://127.0.0.1:1 refused the connection');
	});
});

describe('presigned URLs with plain fetch', () => {
	test('presigned PUT then presigned GET', async () => {
		const put = await presignUrl(env.client, { method: 'PUT', bucket: 'ops-main', key: 'shared/upload.json', contentType: 'application/json', expiresIn: 120 });
		const uploaded = await fetch(put.url, { method: 'PUT', headers: put.headers, body: '{"ok":true}' });
		expect(uploaded.status).toBe(200);
		expect(await headObject(env.client, 'ops-main', 'shared/upload.json')).toMatchObject({ size: 11, contentType: 'application/json' });
		const get = await presignUrl(env.client, { method: 'GET', bucket: 'ops-main', key: 'shared/upload.json' });
		const downloaded = await fetch(get.url);
		expect(downloaded.status).toBe(200);
		expect(await downloaded.text()).toBe('{"ok":true}');
	});

	test('a presigned PUT with another Content-Type than signed is refused', async () => {
		const put = await presignUrl(env.client, { method: 'PUT', bucket: 'ops-main', key: 'shared/typed.png', contentType: 'image/png' });
		const res = await fetch(put.url, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
		expect(res.status).toBe(403);
		expect(await res.text()).toMatch(/SignatureDoesNotMatch/);
	});

	test('an expired presigned URL is rejected with AccessDenied', async () => {
		await putText('ops-main', 'shared/expiring.txt', 'soon gone');
		const past = await presignUrl(env.client, { method: 'GET', bucket: 'ops-main', key: 'shared/expiring.txt', expiresIn: 60, signingDate: new Date(Date.now() - 2 * 3600_000) });
		const res = await fetch(past.url);
		expect(res.status).toBe(403);
		expect(await res.text()).toMatch(/AccessDenied/);
		const short = await presignUrl(env.client, { method: 'GET', bucket: 'ops-main', key: 'shared/expiring.txt', expiresIn: 1 });
		expect((await fetch(short.url)).status).toBe(200);
		await new Promise((r) => setTimeout(r, 2_100));
		expect((await fetch(short.url)).status).toBe(403);
	});

	test('a tampered signature is rejected', async () => {
		const get = await presignUrl(env.client, { method: 'GET', bucket: 'ops-main', key: 'shared/upload.json' });
		const url = new URL(get.url);
		const sig = url.searchParams.get('X-Amz-Signature') as string;
		url.searchParams.set('X-Amz-Signature', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
		expect((await fetch(url)).status).toBe(403);
	});
});
