/**
 * MEGA Cloud node, Rubbish Bin, Search and Account resources: one describe per `<resource>.<operation>`.
 */
import { byId, byPath, type CloudEnv, finishCloudEnv, fromList, startCloudEnv } from './env';

let env: CloudEnv;
beforeAll(async () => {
	env = await startCloudEnv('bin');
});
afterAll(async () => {
	await finishCloudEnv(env);
});

async function put(folder: string, name: string, data: Buffer, mtime?: number) {
	const parent = await env.client.mkdir(folder);
	return (await env.client.upload({ parent: parent.handle, name, source: data, size: data.length, ...(mtime ? { mtime } : {}) })).file;
}

describe('rubbishBin.getAll', () => {
	test('lists what is in the Rubbish Bin with where it came from', async () => {
		const file = await put('/BinSource', 'trash-me.txt', Buffer.from('t'));
		await env.client.trash(file.handle);
		const { items } = await env.runCloud({ resource: 'rubbishBin', operation: 'getAll', returnAll: true });
		const entry = items.find((i) => i.json.handle === file.handle);
		expect(entry?.json).toMatchObject({ path: '//bin/trash-me.txt', inRubbishBin: true, restoreHandle: (await env.client.info('/BinSource')).handle });
		const limited = await env.runCloud({ resource: 'rubbishBin', operation: 'getAll', returnAll: false, limit: 1 });
		expect(limited.items).toHaveLength(1);
	});
});

describe('rubbishBin.restore', () => {
	test('back to where it came from, or to a chosen folder', async () => {
		const a = await put('/RestoreHere', 'a.txt', Buffer.from('a'));
		const b = await put('/RestoreHere', 'b.txt', Buffer.from('b'));
		await env.client.trash(a.handle);
		await env.client.trash(b.handle);
		const back = await env.runCloud({ resource: 'rubbishBin', operation: 'restore', item: fromList(a.handle, '//bin/a.txt') });
		expect(back.items[0].json).toMatchObject({ handle: a.handle, path: '/RestoreHere/a.txt', inRubbishBin: false });
		expect(back.items[0].json.restoreHandle).toBeUndefined();
		await env.client.mkdir('/Elsewhere');
		const elsewhere = await env.runCloud({ resource: 'rubbishBin', operation: 'restore', item: byPath('//bin/b.txt'), restoreTo: 'folder', destination: byPath('/Elsewhere') });
		expect(elsewhere.items[0].json).toMatchObject({ handle: b.handle, path: '/Elsewhere/b.txt', inRubbishBin: false });
		expect(elsewhere.items[0].json.restoreHandle).toBeUndefined();
		const notInBin = await env.runCloud({ resource: 'rubbishBin', operation: 'restore', item: byId(a.handle) }).catch((e: unknown) => e);
		expect(notInBin).toMatchObject({ name: 'NodeOperationError', message: '"/RestoreHere/a.txt" is not in the Rubbish Bin' });
	});
});

describe('rubbishBin.deletePermanently', () => {
	test('deletes one item of the Rubbish Bin; refuses items outside it', async () => {
		const file = await put('/PermSource', 'p.txt', Buffer.from('p'));
		const keep = await put('/PermSource', 'keep.txt', Buffer.from('k'));
		await env.client.trash(file.handle);
		const { items } = await env.runCloud({ resource: 'rubbishBin', operation: 'deletePermanently', item: byId(file.handle) });
		expect(items[0].json).toMatchObject({ handle: file.handle, deleted: true, permanently: true });
		await expect(env.client.info(file.handle)).rejects.toMatchObject({ cause: 'not-found' });
		const refused = await env.runCloud({ resource: 'rubbishBin', operation: 'deletePermanently', item: byId(keep.handle) }).catch((e: unknown) => e);
		expect(refused).toMatchObject({ name: 'NodeOperationError', description: expect.stringMatching(/Delete Permanently/) });
		expect((await env.client.info(keep.handle)).inRubbishBin).toBe(false);
	});
});

describe('rubbishBin.empty', () => {
	test('deletes everything in the Rubbish Bin', async () => {
		const file = await put('/EmptySource', 'e.txt', Buffer.from('e'));
		await env.client.trash(file.handle);
		const before = (await env.client.listRubbishBin()).length;
		const { items } = await env.runCloud({ resource: 'rubbishBin', operation: 'empty' });
		expect(items[0].json).toEqual({ emptied: true, deletedCount: before });
		expect(await env.client.listRubbishBin()).toEqual([]);
	});
});

describe('search.search', () => {
	test('by glob or regex name, type, size and modified-date range, under a folder, recursive or not, with a limit', async () => {
		const day = Date.UTC(2025, 5, 1) / 1000;
		await put('/Find', 'invoice-001.pdf', Buffer.alloc(100), day);
		await put('/Find', 'invoice-002.pdf', Buffer.alloc(5000), day + 86_400 * 30);
		await put('/Find/2024', 'invoice-old.pdf', Buffer.alloc(10), day - 86_400 * 400);
		await put('/Find', 'notes.txt', Buffer.alloc(1));
		await env.client.mkdir('/Find/invoices-folder');
		const search = async (parameters: Record<string, unknown>) =>
			(await env.runCloud({ resource: 'search', operation: 'search', folder: byPath('/Find'), returnAll: true, ...parameters })).items.map((i) => i.json.path);
		expect(await search({ query: 'invoice-*.PDF' })).toEqual(['/Find/2024/invoice-old.pdf', '/Find/invoice-001.pdf', '/Find/invoice-002.pdf']);
		expect(await search({ query: 'invoice-*', options: { recursive: false } })).toEqual(['/Find/invoice-001.pdf', '/Find/invoice-002.pdf']);
		expect(await search({ query: '^invoice-\\d{3}\\.pdf$', options: { regex: true } })).toEqual(['/Find/invoice-001.pdf', '/Find/invoice-002.pdf']);
		expect(await search({ query: 'invoice*', options: { type: 'folder' } })).toEqual(['/Find/invoices-folder']);
		expect(await search({ options: { type: 'file', minSize: 50, maxSize: 1000 } })).toEqual(['/Find/invoice-001.pdf']);
		expect(await search({ query: '*.pdf', options: { modifiedAfter: '2025-05-01T00:00:00Z', modifiedBefore: '2025-06-15T00:00:00Z' } })).toEqual(['/Find/invoice-001.pdf']);
		const limited = await env.runCloud({ resource: 'search', operation: 'search', query: '*.pdf', returnAll: false, limit: 2 });
		expect(limited.items).toHaveLength(2);
		const badRegex = await env.runCloud({ resource: 'search', operation: 'search', query: '([', options: { regex: true }, returnAll: true }).catch((e: unknown) => e);
		expect(badRegex).toMatchObject({ name: 'NodeOperationError', message: '"([" is not a valid regular expression' });
	});
});

describe('account.getStorageQuota', () => {
	test('used and total storage and transfer, in bytes and readable units', async () => {
		env.sandbox.setQuota(env.email, { storageBytes: 20 * 1024 ** 3, transferBytes: 5 * 1024 ** 4 });
		const { items } = await env.runCloud({ resource: 'account', operation: 'getStorageQuota' });
		const quota = items[0].json as Record<string, unknown> & { readable: Record<string, string> };
		expect(quota).toMatchObject({ storageTotal: 20 * 1024 ** 3, transferTotal: 5 * 1024 ** 4 });
		expect(quota.storageUsed).toBeGreaterThan(0);
		expect(quota.storageFree).toBe((quota.storageTotal as number) - (quota.storageUsed as number));
		expect(quota.readable.storageTotal).toBe('20 GB');
		expect(quota.readable.transferTotal).toBe('5 TB');
		expect(quota.readable.storageUsed).toMatch(/^\d+(\.\d+)? (B|KB|MB)$/);
	});
});

describe('account.getInfo', () => {
	test('who the credential logs in as', async () => {
		const { items } = await env.runCloud({ resource: 'account', operation: 'getInfo' });
		expect(items[0].json).toMatchObject({ userHandle: env.client.userHandle, email: env.email, anonymous: false });
		const anonymous = await env.runCloud({ resource: 'account', operation: 'getInfo' }, { credential: { mode: 'anonymous', gateway: env.sandbox.gateway } });
		expect(anonymous.items[0].json).toMatchObject({ anonymous: true, email: null });
	});
});
