/**
 * MEGA Cloud node, Folder resource, inside n8n's engine against the MEGA sandbox: one describe per `folder.<operation>`.
 */
import { randomBytes } from 'node:crypto';

import { listPublicFolder } from '../../../core/mega/client';
import { byId, byPath, type CloudEnv, finishCloudEnv, fromList, MIB, sha256, startCloudEnv } from './env';

let env: CloudEnv;
beforeAll(async () => {
	env = await startCloudEnv('folder');
});
afterAll(async () => {
	await finishCloudEnv(env);
});

async function put(folder: string, name: string, data: Buffer) {
	const parent = await env.client.mkdir(folder);
	return (await env.client.upload({ parent: parent.handle, name, source: data, size: data.length })).file;
}

describe('folder.create', () => {
	test('creates missing parents in one go and reuses existing folders', async () => {
		const { items } = await env.runCloud({ resource: 'folder', operation: 'create', name: 'Projects/2026/Q1' });
		expect(items[0].json).toMatchObject({ name: 'Q1', path: '/Projects/2026/Q1', type: 'folder', size: 0, link: null });
		const again = await env.runCloud({ resource: 'folder', operation: 'create', name: 'Q1', parent: byPath('/Projects/2026') });
		expect(again.items[0].json.handle).toBe(items[0].json.handle);
		const nested = await env.runCloud({ resource: 'folder', operation: 'create', name: 'Drafts', parent: byId(items[0].json.handle as string) });
		expect(nested.items[0].json).toMatchObject({ path: '/Projects/2026/Q1/Drafts', parentHandle: items[0].json.handle });
	});

	test('an empty name is refused before any request', async () => {
		const failed = await env.runCloud({ resource: 'folder', operation: 'create', name: ' / ' }).catch((e: unknown) => e);
		expect(failed).toMatchObject({ name: 'NodeOperationError', message: 'The folder name is empty' });
	});
});

describe('folder.getAll', () => {
	test('children or the whole subtree, filtered by type, Return All or a limit, one item per entry', async () => {
		await put('/List', 'a.txt', Buffer.from('a'));
		await put('/List/sub', 'b.txt', Buffer.from('b'));
		await put('/List', 'c.txt', Buffer.from('c'));
		const children = await env.runCloud({ resource: 'folder', operation: 'getAll', folder: byPath('/List'), returnAll: true });
		expect(children.items.map((i) => i.json.path)).toEqual(['/List/a.txt', '/List/c.txt', '/List/sub']);
		expect(children.items.every((i) => i.pairedItem && (i.pairedItem as { item: number }).item === 0)).toBe(true);
		const recursiveFiles = await env.runCloud({ resource: 'folder', operation: 'getAll', folder: byPath('/List'), returnAll: true, options: { recursive: true, type: 'file' } });
		expect(recursiveFiles.items.map((i) => i.json.path)).toEqual(['/List/a.txt', '/List/c.txt', '/List/sub/b.txt']);
		const folders = await env.runCloud({ resource: 'folder', operation: 'getAll', folder: byPath('/List'), returnAll: true, options: { type: 'folder' } });
		expect(folders.items.map((i) => i.json.name)).toEqual(['sub']);
		const limited = await env.runCloud({ resource: 'folder', operation: 'getAll', folder: byPath('/List'), returnAll: false, limit: 2 });
		expect(limited.items).toHaveLength(2);
		const root = await env.runCloud({ resource: 'folder', operation: 'getAll', returnAll: true });
		expect(root.items.map((i) => i.json.path)).toContain('/List');
	});
});

describe('folder.get', () => {
	test('by path and from the list; a file where a folder is needed is an input error', async () => {
		const folder = await env.client.mkdir('/GetMe');
		for (const locator of [byPath('/GetMe'), fromList(folder.handle, '/GetMe')]) {
			const { items } = await env.runCloud({ resource: 'folder', operation: 'get', folder: locator });
			expect(items[0].json).toMatchObject({ handle: folder.handle, name: 'GetMe', path: '/GetMe', type: 'folder' });
		}
		await put('/GetMe', 'f.txt', Buffer.from('f'));
		const failed = await env.runCloud({ resource: 'folder', operation: 'get', folder: byPath('/GetMe/f.txt') }).catch((e: unknown) => e);
		expect(failed).toMatchObject({ name: 'NodeOperationError', message: '"/GetMe/f.txt" is a file, but "Folder" needs a folder' });
	});
});

describe('folder.copy', () => {
	test('copies the folder with its contents under a new name', async () => {
		await put('/CopyMe/inner', 'x.txt', Buffer.from('x'));
		await env.client.mkdir('/CopyTo');
		const { items } = await env.runCloud({ resource: 'folder', operation: 'copy', folder: byPath('/CopyMe'), destination: byPath('/CopyTo'), newName: 'Copied' });
		expect(items[0].json).toMatchObject({ name: 'Copied', path: '/CopyTo/Copied', type: 'folder' });
		expect((await env.client.list('/CopyTo/Copied', { recursive: true })).map((n) => n.path).sort()).toEqual(['/CopyTo/Copied/inner', '/CopyTo/Copied/inner/x.txt']);
	});
});

describe('folder.move', () => {
	test('moves into another folder; into itself is refused', async () => {
		const moving = await env.client.mkdir('/MoveMe');
		await env.client.mkdir('/MoveInto');
		const { items } = await env.runCloud({ resource: 'folder', operation: 'move', folder: byId(moving.handle), destination: byPath('/MoveInto') });
		expect(items[0].json).toMatchObject({ handle: moving.handle, path: '/MoveInto/MoveMe' });
		await env.client.mkdir('/MoveInto/MoveMe/child');
		const circular = await env.runCloud({ resource: 'folder', operation: 'move', folder: byId(moving.handle), destination: byPath('/MoveInto/MoveMe/child') }).catch((e: unknown) => e);
		expect((circular as Error).message).toMatch(/into itself or one of its own subfolders/);
	});
});

describe('folder.rename', () => {
	test('renames in place', async () => {
		const folder = await env.client.mkdir('/OldName');
		const { items } = await env.runCloud({ resource: 'folder', operation: 'rename', folder: byId(folder.handle), newName: 'NewName' });
		expect(items[0].json).toMatchObject({ handle: folder.handle, path: '/NewName' });
	});
});

describe('folder.delete', () => {
	test('to the Rubbish Bin with its contents; permanently as an option', async () => {
		await put('/Doomed', 'd.txt', Buffer.from('d'));
		const { items } = await env.runCloud({ resource: 'folder', operation: 'delete', folder: byPath('/Doomed') });
		expect(items[0].json).toMatchObject({ path: '//bin/Doomed', deleted: true, permanently: false, inRubbishBin: true });
		const gone = await env.client.mkdir('/Gone');
		const permanent = await env.runCloud({ resource: 'folder', operation: 'delete', folder: byId(gone.handle), options: { permanently: true } });
		expect(permanent.items[0].json).toMatchObject({ handle: gone.handle, deleted: true, permanently: true });
		await expect(env.client.info(gone.handle)).rejects.toMatchObject({ cause: 'not-found' });
	});
});

describe('folder.createLink', () => {
	test('a folder link that lists the contents', async () => {
		await put('/Shared', 'one.txt', Buffer.from('1'));
		const { items } = await env.runCloud({ resource: 'folder', operation: 'createLink', folder: byPath('/Shared') });
		expect(items[0].json).toMatchObject({ path: '/Shared', passwordProtected: false, link: expect.stringMatching(/^https:\/\/mega\.nz\/folder\/[A-Za-z0-9_-]{8}#[A-Za-z0-9_-]{22}$/) });
		expect((await listPublicFolder(items[0].json.link as string, { gateway: env.sandbox.gateway })).map((n) => n.name)).toEqual(['one.txt']);
	});
});

describe('folder.deleteLink', () => {
	test('the folder link stops working', async () => {
		const folder = await env.client.mkdir('/Unshared');
		const { url } = await env.client.createLink(folder.handle);
		const { items } = await env.runCloud({ resource: 'folder', operation: 'deleteLink', folder: byId(folder.handle) });
		expect(items[0].json).toMatchObject({ handle: folder.handle, link: null });
		await expect(listPublicFolder(url, { gateway: env.sandbox.gateway })).rejects.toMatchObject({ cause: 'not-found' });
	});
});

describe('folder.download', () => {
	test('one streamed item per file, each with its relative path', async () => {
		const a = randomBytes(MIB + 3);
		const b = randomBytes(1234);
		await put('/Bundle', 'a.bin', a);
		await put('/Bundle/deep', 'b.csv', b);
		const { items } = await env.runCloud({ resource: 'folder', operation: 'download', folder: byPath('/Bundle'), binaryPropertyName: 'file' });
		expect(items.map((i) => i.json.relativePath)).toEqual(['a.bin', 'deep/b.csv']);
		expect(items.every((i) => /^filesystem-v2:/.test(i.binary?.file.id ?? ''))).toBe(true);
		expect(items[1].binary?.file).toMatchObject({ fileName: 'b.csv', mimeType: 'text/csv', directory: 'deep' });
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		const only = await env.runCloud({ resource: 'folder', operation: 'download', folder: byPath('/Bundle'), binaryPropertyName: 'file', options: { recursive: false } }, { after: { name: 'Read', type: 'n8n-nodes-mega.readStream', parameters: { binaryPropertyName: 'file' } } });
		expect(only.items).toHaveLength(1);
		expect(only.after[0].json).toMatchObject({ sha256: sha256(a), size: a.length, streamed: true });
	});
});
