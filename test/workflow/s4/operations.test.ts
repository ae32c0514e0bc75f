/**
 * The MEGA S4 node inside n8n's real engine (n8n-core WorkflowExecute), one describe per `<resource>.<operation>`,
 * against Ceph RGW behind the strict S4 proxy. Binaries use n8n's filesystem mode: upload reads a `filesystem-v2:`
 * binary as a stream, download writes one.
 */
import { mock } from 'jest-mock-extended';
import type { ICredentialTestFunctions, ICredentialsDecrypted, IConnections, IDataObject, ILoadOptionsFunctions, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { MegaS4Api } from '../../../credentials/MegaS4Api.credentials';
import { MegaS4 } from '../../../nodes/MegaS4/MegaS4.node';
import { createBucket, headObject, listObjects, uploadObject } from '../../../core/s4';
import { megaNodeTypes, removeHarnessUserFolder, runWorkflow, type WorkflowNode } from '../harness';
import { MakeStream } from '../harness/dummy-nodes/MakeStream';
import { ReadStream } from '../harness/dummy-nodes/ReadStream';
import { SANDBOX_START_TIMEOUT_MS, startS4TestEnv, type S4TestEnv } from '../../integration/s4/sandbox-env';

const MIB = 1024 * 1024;
const BUCKET = 'wf-main';
const nodeTypes = megaNodeTypes(new MegaS4(), new MakeStream(), new ReadStream());
const byName = (value: string) => ({ __rl: true, mode: 'name', value });
const fromList = (value: string) => ({ __rl: true, mode: 'list', value, cachedResultName: value });
const main = (node: string) => ({ main: [[{ node, type: 'main' as const, index: 0 }]] });

let env: S4TestEnv;
beforeAll(async () => {
	env = await startS4TestEnv();
	await createBucket(env.client, BUCKET);
	await createBucket(env.client, 'wf-other');
}, SANDBOX_START_TIMEOUT_MS);
afterAll(async () => {
	removeHarnessUserFolder();
	await env?.stop();
});
afterEach(() => {
	expect(env.proxy.rejections).toEqual([]);
});

interface RunOptions {
	before?: WorkflowNode[];
	input?: INodeExecutionData[];
	onError?: WorkflowNode['onError'];
	binaryMode?: 'filesystem' | 'memory';
	after?: WorkflowNode;
}

/** Runs [before...] -> S4 -> [after] and returns the S4 node's output (and the after node's). */
async function runS4(parameters: INodeParameters, options: RunOptions = {}) {
	const nodes: WorkflowNode[] = [...(options.before ?? []), { name: 'S4', type: 'n8n-nodes-mega.megaS4', parameters, ...(options.onError ? { onError: options.onError } : {}) }];
	const connections: IConnections = {};
	for (let i = 0; i + 1 < nodes.length; i++) connections[nodes[i].name] = main(nodes[i + 1].name);
	if (options.after) {
		nodes.push(options.after);
		connections.S4 = main(options.after.name);
	}
	const result = await runWorkflow({
		nodes,
		connections,
		nodeTypes,
		credentials: { megaS4Api: env.credential },
		credentialTypes: [new MegaS4Api()],
		binaryMode: options.binaryMode ?? 'filesystem',
		input: options.input,
	});
	if (result.error) throw result.error;
	return { items: result.output('S4'), after: options.after ? result.output(options.after.name) : [], result };
}

const put = (key: string, body: string, contentType = 'text/plain') => uploadObject(env.client, { bucket: BUCKET, key, source: Buffer.from(body), contentType });

describe('bucket.create', () => {
	test('creates a bucket and outputs its name', async () => {
		const { items } = await runS4({ resource: 'bucket', operation: 'create', bucketName: 'wf-created' });
		expect(items).toEqual([{ json: { name: 'wf-created', created: true }, pairedItem: { item: 0 } }]);
	});

	test('an invalid name fails with the rule in the message, before any request', async () => {
		const before = env.proxy.requests.length;
		await expect(runS4({ resource: 'bucket', operation: 'create', bucketName: 'Not_Valid' })).rejects.toMatchObject({
			message: 'Bucket name "Not_Valid" must not contain uppercase letters',
			description: expect.stringMatching(/3–63 characters/),
		});
		expect(env.proxy.requests.length).toBe(before);
	});
});

describe('bucket.delete', () => {
	test('deletes an empty bucket', async () => {
		await createBucket(env.client, 'wf-doomed');
		const { items } = await runS4({ resource: 'bucket', operation: 'delete', bucket: fromList('wf-doomed') });
		expect(items[0].json).toEqual({ name: 'wf-doomed', deleted: true });
	});
});

describe('bucket.getAll', () => {
	test('one item per bucket, limit honoured', async () => {
		const all = await runS4({ resource: 'bucket', operation: 'getAll', returnAll: true });
		expect(all.items.map((i) => i.json.name)).toEqual(expect.arrayContaining([BUCKET, 'wf-other']));
		expect(all.items.every((i) => typeof i.json.creationDate === 'string')).toBe(true);
		const one = await runS4({ resource: 'bucket', operation: 'getAll', returnAll: false, limit: 1 });
		expect(one.items).toHaveLength(1);
	});
});

describe('bucket.search', () => {
	test('objects by prefix, recursively, following continuation tokens with Return All', async () => {
		await createBucket(env.client, 'wf-search');
		await Promise.all(Array.from({ length: 1_050 }, (_, i) => uploadObject(env.client, { bucket: 'wf-search', key: `inv/2026-${String(i).padStart(4, '0')}.txt`, source: Buffer.alloc(0) })));
		await uploadObject(env.client, { bucket: 'wf-search', key: 'other/x.txt', source: Buffer.from('x') });
		const all = await runS4({ resource: 'bucket', operation: 'search', bucket: byName('wf-search'), prefix: 'inv/', returnAll: true });
		expect(all.items).toHaveLength(1_050);
		expect(all.items[1_049].json).toMatchObject({ type: 'object', key: 'inv/2026-1049.txt', bucket: 'wf-search' });
		const limited = await runS4({ resource: 'bucket', operation: 'search', bucket: byName('wf-search'), prefix: 'inv/2026-00', returnAll: false, limit: 5 });
		expect(limited.items.map((i) => i.json.key)).toEqual(['inv/2026-0000.txt', 'inv/2026-0001.txt', 'inv/2026-0002.txt', 'inv/2026-0003.txt', 'inv/2026-0004.txt']);
	}, 120_000);
});

describe('object.upload', () => {
	test('streams a filesystem-mode binary up (multipart above the part size), type from the binary, user metadata', async () => {
		const { items, result } = await runS4(
			{
				resource: 'object',
				operation: 'upload',
				bucket: fromList(BUCKET),
				key: 'uploads/',
				binaryPropertyName: 'data',
				options: { metadata: { metadataValues: [{ key: 'Project', value: 'n8n' }] }, partSizeMiB: 5 },
			},
			{ before: [{ name: 'Make', type: 'n8n-nodes-mega.makeStream', parameters: { size: 12 * MIB + 7, fileName: 'report.pdf', mimeType: 'application/pdf' } }] },
		);
		const made = result.output('Make')[0];
		expect(made.binary?.data.id).toMatch(/^filesystem-v2:/);
		expect(items[0].json).toMatchObject({ bucket: BUCKET, key: 'uploads/report.pdf', size: 12 * MIB + 7, contentType: 'application/pdf', multipart: true, parts: 3 });
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(await headObject(env.client, BUCKET, 'uploads/report.pdf')).toMatchObject({ size: 12 * MIB + 7, contentType: 'application/pdf', metadata: { project: 'n8n' } });
		const parts = env.proxy.requests.filter((r) => r.operation === 'UploadPart' && r.url.includes('report.pdf')).map((r) => r.contentLength);
		expect(parts.sort()).toEqual([2 * MIB + 7, 5 * MIB, 5 * MIB].sort());
	});

	test('a small in-memory binary goes in one PutObject; content type guessed from the extension', async () => {
		const input = [{ json: {}, binary: { data: { data: Buffer.from('a,b\n1,2\n').toString('base64'), mimeType: '', fileName: 'table.csv' } } }];
		const { items } = await runS4({ resource: 'object', operation: 'upload', bucket: byName(BUCKET), key: 'csv/table.csv', binaryPropertyName: 'data' }, { input, binaryMode: 'memory' });
		expect(items[0].json).toMatchObject({ key: 'csv/table.csv', size: 8, contentType: 'text/csv', multipart: false, parts: 1 });
	});

	test('a missing binary field fails with n8n\'s message', async () => {
		const outcome = await runS4({ resource: 'object', operation: 'upload', bucket: byName(BUCKET), key: 'x', binaryPropertyName: 'nope' }).catch((e: unknown) => e);
		expect(outcome).toMatchObject({ name: 'NodeOperationError', description: 'Make sure that the previous node outputs a binary file' });
		expect(env.proxy.requests.filter((r) => r.url.startsWith(`/${BUCKET}/x`))).toEqual([]);
	});
});

describe('object.download', () => {
	test('streams the object into a filesystem-mode binary that the next node reads as a stream', async () => {
		const { items, after } = await runS4(
			{ resource: 'object', operation: 'upload', bucket: byName(BUCKET), key: 'dl/source.bin', binaryPropertyName: 'data' },
			{ before: [{ name: 'Make', type: 'n8n-nodes-mega.makeStream', parameters: { size: 9 * MIB, fileName: 'source.bin' } }] },
		);
		expect(items[0].json.key).toBe('dl/source.bin');
		const sha = (await runS4({ resource: 'object', operation: 'get', bucket: byName(BUCKET), key: 'dl/source.bin' })).items[0].json;
		expect(sha.size).toBe(9 * MIB);
		expect(after).toEqual([]);

		const download = await runS4(
			{ resource: 'object', operation: 'download', bucket: byName(BUCKET), key: 'dl/source.bin', binaryPropertyName: 'file' },
			{ after: { name: 'Read', type: 'n8n-nodes-mega.readStream', parameters: { binaryPropertyName: 'file' } } },
		);
		const [item] = download.items;
		expect(item.binary?.file.id).toMatch(/^filesystem-v2:/);
		expect(item.binary?.file).toMatchObject({ fileName: 'source.bin', mimeType: 'application/octet-stream' });
		expect(item.json).toMatchObject({ bucket: BUCKET, key: 'dl/source.bin', size: 9 * MIB });
		expect(item.json).not.toHaveProperty('body');
		expect(download.after[0].json).toMatchObject({ size: 9 * MIB, streamed: true, idPrefix: 'filesystem-v2:' });
	});

	test('the same upload read back is byte-identical (sha256 through the engine)', async () => {
		const up = await runS4(
			{ resource: 'object', operation: 'upload', bucket: byName(BUCKET), key: 'dl/hash.bin', binaryPropertyName: 'data' },
			{ before: [{ name: 'Make', type: 'n8n-nodes-mega.makeStream', parameters: { size: 6 * MIB + 1, fileName: 'hash.bin' } }] },
		);
		const madeSha = up.result.output('Make')[0].json.sha256;
		const down = await runS4(
			{ resource: 'object', operation: 'download', bucket: byName(BUCKET), key: 'dl/hash.bin', binaryPropertyName: 'data' },
			{ after: { name: 'Read', type: 'n8n-nodes-mega.readStream' } },
		);
		expect(down.after[0].json).toMatchObject({ sha256: madeSha, size: 6 * MIB + 1 });
	});

	test('in n8n\'s in-memory binary mode the download still works (base64 data, no binary id)', async () => {
		await put('dl/memory.txt', 'kept in memory');
		const { items } = await runS4({ resource: 'object', operation: 'download', bucket: byName(BUCKET), key: 'dl/memory.txt', binaryPropertyName: 'data' }, { binaryMode: 'memory' });
		expect(items[0].binary?.data.id).toBeUndefined();
		expect(Buffer.from(items[0].binary?.data.data ?? '', 'base64').toString()).toBe('kept in memory');
		expect(items[0].binary?.data).toMatchObject({ fileName: 'memory.txt', mimeType: 'text/plain' });
	});

	test('a range downloads only those bytes', async () => {
		await put('dl/range.txt', 'Hello MEGA S4!');
		const { items, after } = await runS4(
			{ resource: 'object', operation: 'download', bucket: byName(BUCKET), key: 'dl/range.txt', binaryPropertyName: 'data', options: { range: 'bytes=6-9' } },
			{ after: { name: 'Read', type: 'n8n-nodes-mega.readStream' } },
		);
		expect(items[0].json).toMatchObject({ size: 4, contentRange: 'bytes 6-9/14' });
		expect(after[0].json.size).toBe(4);
	});
});

describe('object.get', () => {
	test('size, type, ETag, metadata, last modified', async () => {
		await uploadObject(env.client, { bucket: BUCKET, key: 'meta/a.json', source: Buffer.from('{}'), contentType: 'application/json', metadata: { owner: 'ops' } });
		const { items } = await runS4({ resource: 'object', operation: 'get', bucket: byName(BUCKET), key: 'meta/a.json' });
		expect(items[0].json).toMatchObject({ bucket: BUCKET, key: 'meta/a.json', size: 2, contentType: 'application/json', metadata: { owner: 'ops' }, etag: '"99914b932bd37a50b983c5e7c90ae93b"' });
		expect(typeof items[0].json.lastModified).toBe('string');
	});

	test('continueOnFail turns a missing object into an { error } item, paired with its input', async () => {
		const { items } = await runS4(
			{ resource: 'object', operation: 'get', bucket: byName(BUCKET), key: '=meta/{{ $json.name }}' },
			{ input: [{ json: { name: 'a.json' } }, { json: { name: 'missing.json' } }], onError: 'continueRegularOutput' },
		);
		expect(items).toHaveLength(2);
		expect(items[0].json).toMatchObject({ key: 'meta/a.json' });
		expect(items[1]).toMatchObject({ json: { error: 'Object "meta/missing.json" does not exist in bucket "wf-main"' }, pairedItem: { item: 1 } });
	});

	test('without continueOnFail the error is a NodeApiError with the fix as description', async () => {
		await expect(runS4({ resource: 'object', operation: 'get', bucket: byName(BUCKET), key: 'meta/missing.json' })).rejects.toMatchObject({
			name: 'NodeApiError',
			message: 'Object "meta/missing.json" does not exist in bucket "wf-main"',
			description: expect.stringMatching(/case-sensitive/),
		});
	});
});

describe('object.getAll', () => {
	beforeAll(async () => {
		await Promise.all(['ls/top.txt', 'ls/a/1.txt', 'ls/a/2.txt', 'ls/b/deep/3.txt'].map((k) => put(k, k)));
	});

	test('with the default delimiter, folders come back as folder items next to objects', async () => {
		const { items } = await runS4({ resource: 'object', operation: 'getAll', bucket: byName(BUCKET), returnAll: true, options: { prefix: 'ls/' } });
		expect(items.map((i) => `${i.json.type}:${i.json.key}`)).toEqual(['folder:ls/a/', 'folder:ls/b/', 'object:ls/top.txt']);
	});

	test('an empty delimiter lists recursively; Limit stops early', async () => {
		const all = await runS4({ resource: 'object', operation: 'getAll', bucket: byName(BUCKET), returnAll: true, options: { prefix: 'ls/', delimiter: '' } });
		expect(all.items.map((i) => i.json.key)).toEqual(['ls/a/1.txt', 'ls/a/2.txt', 'ls/b/deep/3.txt', 'ls/top.txt']);
		const limited = await runS4({ resource: 'object', operation: 'getAll', bucket: byName(BUCKET), returnAll: false, limit: 2, options: { prefix: 'ls/', delimiter: '' } });
		expect(limited.items).toHaveLength(2);
	});
});

describe('object.copy', () => {
	test('across buckets, replacing metadata, keeping the content type', async () => {
		await uploadObject(env.client, { bucket: BUCKET, key: 'cp/src.md', source: Buffer.from('# hi'), contentType: 'text/markdown', metadata: { v: '1' } });
		const { items } = await runS4({
			resource: 'object',
			operation: 'copy',
			sourceBucket: byName(BUCKET),
			sourceKey: 'cp/src.md',
			destinationBucket: fromList('wf-other'),
			destinationKey: 'copies/src.md',
			options: { metadataDirective: 'REPLACE', metadata: { metadataValues: [{ key: 'v', value: '2' }] } },
		});
		expect(items[0].json).toMatchObject({ sourceBucket: BUCKET, sourceKey: 'cp/src.md', bucket: 'wf-other', key: 'copies/src.md' });
		expect(await headObject(env.client, 'wf-other', 'copies/src.md')).toMatchObject({ contentType: 'text/markdown', metadata: { v: '2' } });
		expect(await headObject(env.client, BUCKET, 'cp/src.md')).toMatchObject({ metadata: { v: '1' } });
	});
});

describe('object.move', () => {
	test('copies then deletes the source', async () => {
		await put('mv/a.txt', 'move me');
		const { items } = await runS4({ resource: 'object', operation: 'move', sourceBucket: byName(BUCKET), sourceKey: 'mv/a.txt', destinationBucket: byName(BUCKET), destinationKey: 'mv/b.txt' });
		expect(items[0].json).toMatchObject({ key: 'mv/b.txt', moved: true });
		expect((await listObjects(env.client, { bucket: BUCKET, prefix: 'mv/' })).map((e) => e.key)).toEqual(['mv/b.txt']);
	});
});

describe('object.delete', () => {
	test('deletes one object', async () => {
		await put('rm/one.txt', '1');
		const { items } = await runS4({ resource: 'object', operation: 'delete', bucket: byName(BUCKET), key: 'rm/one.txt' });
		expect(items[0].json).toEqual({ bucket: BUCKET, key: 'rm/one.txt', deleted: true });
		expect(await listObjects(env.client, { bucket: BUCKET, prefix: 'rm/one' })).toEqual([]);
	});
});

describe('object.deleteMany', () => {
	test('deletes a comma/newline list in one batch', async () => {
		await Promise.all(['many/1', 'many/2', 'many/3', 'many/keep'].map((k) => put(k, k)));
		const { items } = await runS4({ resource: 'object', operation: 'deleteMany', bucket: byName(BUCKET), keys: 'many/1, many/2\nmany/3' });
		expect(items[0].json).toMatchObject({ bucket: BUCKET, deletedCount: 3, errors: [] });
		expect((await listObjects(env.client, { bucket: BUCKET, prefix: 'many/' })).map((e) => e.key)).toEqual(['many/keep']);
		expect(env.proxy.requests.filter((r) => r.operation === 'DeleteObjects' && r.url.startsWith(`/${BUCKET}`))).toHaveLength(1);
	});
});

describe('object.getPresignedUrl', () => {
	test('a PUT URL then a GET URL, both used with plain fetch; default expiry one hour', async () => {
		const put = await runS4({ resource: 'object', operation: 'getPresignedUrl', bucket: byName(BUCKET), key: 'share/in.txt', method: 'PUT', options: { contentType: 'text/plain' } });
		const presignedPut = put.items[0].json as { url: string; headers: Record<string, string>; expiresIn: number; expiresAt: string };
		expect(presignedPut.expiresIn).toBe(3600);
		expect(Date.parse(presignedPut.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
		expect((await fetch(presignedPut.url, { method: 'PUT', headers: presignedPut.headers, body: 'via presigned PUT' })).status).toBe(200);
		const get = await runS4({ resource: 'object', operation: 'getPresignedUrl', bucket: byName(BUCKET), key: 'share/in.txt', method: 'GET', expiresIn: 60 });
		const res = await fetch(String(get.items[0].json.url));
		expect(res.status).toBe(200);
		expect(await res.text()).toBe('via presigned PUT');
	});

	test('an expiry over 7 days is an input error naming the limit', async () => {
		await expect(runS4({ resource: 'object', operation: 'getPresignedUrl', bucket: byName(BUCKET), key: 'share/in.txt', method: 'GET', expiresIn: 604_801 })).rejects.toMatchObject({
			name: 'NodeOperationError',
			message: expect.stringMatching(/longer than the 7 days \(604800 seconds\)/),
		});
	});
});

describe('folder.create', () => {
	test('creates an empty marker that lists as a folder', async () => {
		const { items } = await runS4({ resource: 'folder', operation: 'create', bucket: byName(BUCKET), folderPath: 'dirs/new' });
		expect(items[0].json).toEqual({ bucket: BUCKET, key: 'dirs/new/', created: true });
		expect(await headObject(env.client, BUCKET, 'dirs/new/')).toMatchObject({ size: 0 });
	});
});

describe('folder.getAll', () => {
	test('sub-folders directly inside the parent, with or without marker objects', async () => {
		await Promise.all([put('dirs/x/file.txt', 'x'), put('dirs/y/z/file.txt', 'z'), put('dirs/loose.txt', 'l')]);
		await runS4({ resource: 'folder', operation: 'create', bucket: byName(BUCKET), folderPath: 'dirs/marker-only' });
		const { items } = await runS4({ resource: 'folder', operation: 'getAll', bucket: byName(BUCKET), parentFolder: 'dirs', returnAll: true });
		expect(items.map((i) => i.json.key)).toEqual(['dirs/marker-only/', 'dirs/new/', 'dirs/x/', 'dirs/y/']);
		expect(items.every((i) => i.json.type === 'folder')).toBe(true);
	});
});

describe('folder.delete', () => {
	test('deletes the folder recursively and reports the count', async () => {
		await Promise.all(['gone/a.txt', 'gone/b/c.txt', 'gone/b/d/e.txt', 'gonesibling.txt'].map((k) => put(k, k)));
		const { items } = await runS4({ resource: 'folder', operation: 'delete', bucket: byName(BUCKET), folderPath: 'gone' });
		expect(items[0].json).toMatchObject({ bucket: BUCKET, key: 'gone/', deleted: true, deletedCount: 3 });
		expect((await listObjects(env.client, { bucket: BUCKET, prefix: 'gone' })).map((e) => e.key)).toEqual(['gonesibling.txt']);
	});
});

describe('credential test (megaS4ApiTest: a real signed ListBuckets)', () => {
	const test_ = (data: IDataObject) =>
		new MegaS4().methods.credentialTest.megaS4ApiTest.call(mock<ICredentialTestFunctions>(), { id: 'c', name: 'S4', type: 'megaS4Api', data } as ICredentialsDecrypted);

	test('valid keys: OK, naming the endpoint', async () => {
		const result = await test_({ ...env.credential });
		expect(result.status).toBe('OK');
		expect(result.message).toMatch(new RegExp(`^Connected to MEGA S4 at ${env.endpoint} \\(\\d+ buckets? visible\\)$`));
	});

	test('a wrong secret is explained in plain words, with the Pro plan', async () => {
		const result = await test_({ ...env.credential, secretAccessKey: 'wrong' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/secret key does not match the access key/);
		expect(result.message).toMatch(/MEGA Pro plan/);
	});

	test('an unknown access key is explained', async () => {
		const result = await test_({ ...env.credential, accessKeyId: 'NOBODY' });
		expect(result).toMatchObject({ status: 'Error', message: expect.stringMatching(/does not know this access key.*Object storage → Keys.*Pro plan/) });
	});

	test('an unreachable endpoint is explained', async () => {
		const result = await test_({ ...env.credential, endpoint: 'http://127.0.0.1:1' });
		expect(result).toMatchObject({ status: 'Error', message: expect.stringMatching(/refused the connection.*custom endpoint/) });
	});
});

describe('listSearch.searchBuckets', () => {
	test('lists the buckets for the picker, filtered by a substring', async () => {
		const ctx = mock<ILoadOptionsFunctions>();
		ctx.getCredentials.mockResolvedValue({ ...env.credential });
		const all = await new MegaS4().methods.listSearch.searchBuckets.call(ctx);
		expect(all.results.map((r) => r.value)).toEqual(expect.arrayContaining([BUCKET, 'wf-other']));
		const filtered = await new MegaS4().methods.listSearch.searchBuckets.call(ctx, 'OTHER');
		expect(filtered.results).toEqual([{ name: 'wf-other', value: 'wf-other' }]);
	});
});
