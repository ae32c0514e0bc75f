/**
 * Interop between our core and megajs (an implementation we did not write) on the same sandbox account:
 * what our core creates megajs reads, and what megajs creates our core reads. This also cross-checks key derivation
 * (v1 and v2 logins), attribute encryption, node keys, MACs and link formats.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';

import { API, File, Storage, type MutableFile } from 'megajs';

import { MegaClient, listPublicFolder, openPublicDownload, publicFileInfo } from '../../../core/mega/client';
import { clearSessionCache } from '../../../core/mega/session';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';

let sandbox: MegaSandbox;
const storages: Storage[] = [];
const megajsErrors: Error[] = [];

async function openMegajs(email: string, password: string): Promise<Storage> {
	const storage = new Storage({ email, password, gateway: sandbox.gateway, keepalive: false });
	storage.api.on('error', (error: Error) => megajsErrors.push(error));
	(storage as EventEmitter).on('error', (error: Error) => megajsErrors.push(error));
	storages.push(storage);
	await storage.ready;
	return storage;
}

function completed(stream: Writable): Promise<MutableFile> {
	return (stream as Writable & { complete: Promise<MutableFile> }).complete;
}

function findByPath(storage: Storage, path: string): MutableFile | undefined {
	let current: MutableFile | undefined = storage.root;
	for (const part of path.split('/').filter(Boolean)) {
		current = current?.children?.find((child) => child.name === part) as MutableFile | undefined;
	}
	return current;
}

async function streamToBuffer(stream: AsyncIterable<unknown>): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

beforeAll(async () => {
	sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 2_000 });
	await sandbox.createAccount({ email: 'core2megajs@interop.local', password: 'first password', version: 2 });
	await sandbox.createAccount({ email: 'legacy@interop.local', password: 'legacy password', version: 1 });
	await sandbox.createAccount({ email: 'megajs2core@interop.local', password: 'second password', version: 2 });
	// megajs downloads files of folder links through its global API: keep it on the sandbox.
	const globalApi = new API(false, { gateway: sandbox.gateway });
	globalApi.on('error', (error: Error) => megajsErrors.push(error));
	API.globalApi = globalApi;
});

afterAll(async () => {
	await Promise.all(storages.map((storage) => storage.close().catch(() => undefined)));
	API.globalApi = undefined;
	await sandbox.close();
	expect(megajsErrors).toEqual([]);
});

describe('what our core creates, megajs reads', () => {
	it('folders, files, renames, moves and links (v2 account)', async () => {
		const client = await MegaClient.connect({ kind: 'password', email: 'core2megajs@interop.local', password: 'first password' }, { gateway: sandbox.gateway });
		await client.mkdir('/Projects/2026/reports');
		const data = randomBytes(1_048_576 + 3);
		await client.upload({ parent: '/Projects/2026', name: 'draft.bin', source: data, mtime: 1_700_000_000 });
		await client.rename('/Projects/2026/draft.bin', 'final.bin');
		await client.move('/Projects/2026/final.bin', '/Projects/2026/reports');
		const fileLink = (await client.createLink('/Projects/2026/reports/final.bin')).url;
		await client.upload({ parent: '/Projects', name: 'note.txt', source: Buffer.from('shared note') });
		const folderLink = (await client.createLink('/Projects')).url;
		await client.upload({ parent: '/Projects/2026', name: 'added-later.txt', source: Buffer.from('after the link') });

		const storage = await openMegajs('core2megajs@interop.local', 'first password');
		const file = findByPath(storage, '/Projects/2026/reports/final.bin');
		expect(file?.size).toBe(data.length);
		expect((await (file as MutableFile).downloadBuffer({})).equals(data)).toBe(true);
		expect(findByPath(storage, '/Projects/2026/draft.bin')).toBeUndefined();
		expect(findByPath(storage, '/Projects/2026')?.directory).toBe(true);

		const opened = File.fromURL(fileLink, { api: new API(false, { gateway: sandbox.gateway }) });
		await opened.loadAttributes();
		expect(opened.name).toBe('final.bin');
		expect((await opened.downloadBuffer({})).equals(data)).toBe(true);

		const folder = File.fromURL(folderLink, { api: new API(false, { gateway: sandbox.gateway }) });
		await folder.loadAttributes();
		expect(folder.name).toBe('Projects');
		expect(folder.children?.map((child) => child.name).sort()).toEqual(['2026', 'note.txt']);
		const year = folder.children?.find((child) => child.name === '2026') as File;
		expect(year.children?.map((child) => child.name).sort()).toEqual(['added-later.txt', 'reports']);
		const later = year.children?.find((child) => child.name === 'added-later.txt') as File;
		expect((await later.downloadBuffer({})).toString()).toBe('after the link');
	});

	it('a v1 account: our login and megajs login derive the same keys', async () => {
		const client = await MegaClient.connect({ kind: 'password', email: 'legacy@interop.local', password: 'legacy password' }, { gateway: sandbox.gateway });
		await client.mkdir('/Legacy Folder ünïcödé');
		await client.upload({ parent: '/Legacy Folder ünïcödé', name: 'tiny.txt', source: Buffer.from('x') });
		const storage = await openMegajs('legacy@interop.local', 'legacy password');
		const tiny = findByPath(storage, '/Legacy Folder ünïcödé/tiny.txt');
		expect(tiny?.name).toBe('tiny.txt');
		expect((await (tiny as MutableFile).downloadBuffer({})).toString()).toBe('x');
	});
});

describe('what megajs creates, our core reads', () => {
	it('folders, uploads, renames, moves, links and change events', async () => {
		const storage = await openMegajs('megajs2core@interop.local', 'second password');
		clearSessionCache();
		const client = await MegaClient.connect({ kind: 'password', email: 'megajs2core@interop.local', password: 'second password' }, { gateway: sandbox.gateway });
		const { sn } = await client.changes();

		const folder = await storage.mkdir('From megajs');
		const inner = await folder.mkdir('inner');
		const data = randomBytes(5 * 1_048_576 + 7);
		const uploaded = await completed(inner.upload({ name: 'upload.bin', size: data.length }, Buffer.from(data)));
		await uploaded.rename('renamed.bin');
		const other = await storage.mkdir('Other');
		await uploaded.moveTo(other);
		const fileLink = await uploaded.link({});
		const folderLink = await folder.link({});

		const info = await client.info('/Other/renamed.bin');
		expect(info).toMatchObject({ name: 'renamed.bin', size: data.length, type: 'file' });
		expect(info.link).toBe(fileLink);
		expect((await client.list('/From megajs')).map((node) => node.name)).toEqual(['inner']);
		expect((await streamToBuffer(await client.download('/Other/renamed.bin'))).equals(data)).toBe(true);

		expect(await publicFileInfo(fileLink, { gateway: sandbox.gateway })).toMatchObject({ name: 'renamed.bin', size: data.length });
		expect((await streamToBuffer(await openPublicDownload(fileLink, { gateway: sandbox.gateway }))).equals(data)).toBe(true);
		expect((await listPublicFolder(folderLink, { gateway: sandbox.gateway })).map((node) => node.name)).toEqual(['inner']);

		const batch = await client.changes(sn);
		const summary = batch.events.filter((event) => event.type !== 'linked').map((event) => [event.type, event.node?.path ?? event.previous?.path, event.own]);
		expect(summary).toEqual([
			['added', '/From megajs', false],
			['added', '/From megajs/inner', false],
			['added', '/From megajs/inner/upload.bin', false],
			['renamed', '/From megajs/inner/renamed.bin', false],
			['added', '/Other', false],
			['moved', '/Other/renamed.bin', false],
		]);
	});
});
