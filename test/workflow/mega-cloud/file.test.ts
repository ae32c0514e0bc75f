/**
 * MEGA Cloud node, File resource, inside n8n's engine against the MEGA sandbox: one describe per `file.<operation>`.
 * Filesystem binary mode unless a test says otherwise (uploads read `filesystem-v2:` binaries as streams, downloads
 * write them).
 */
import { randomBytes } from 'node:crypto';

import { openPublicDownload } from '../../../core/mega/client';
import { byId, byPath, byUrl, type CloudEnv, finishCloudEnv, fromList, make, MIB, read, readAll, sha256, startCloudEnv } from './env';

let env: CloudEnv;
beforeAll(async () => {
	env = await startCloudEnv('file');
});
afterAll(async () => {
	await finishCloudEnv(env);
});
afterEach(() => {
	env.sandbox.faults.clear();
});

async function put(folder: string, name: string, data: Buffer) {
	const parent = await env.client.mkdir(folder);
	return (await env.client.upload({ parent: parent.handle, name, source: data, size: data.length })).file;
}

describe('file.upload', () => {
	test('streams a filesystem-mode binary into a folder given by path; the output describes the new file', async () => {
		await env.client.mkdir('/Uploads');
		const { items, result } = await env.runCloud(
			{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', folder: byPath('/Uploads') },
			{ before: [make(5 * MIB + 7, 'report.pdf', 'application/pdf')] },
		);
		const made = result.output('Make')[0];
		expect(made.binary?.data.id).toMatch(/^filesystem-v2:/);
		expect(items).toHaveLength(1);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[0].json).toMatchObject({
			name: 'report.pdf',
			path: '/Uploads/report.pdf',
			type: 'file',
			size: 5 * MIB + 7,
			handle: expect.stringMatching(/^[A-Za-z0-9_-]{8}$/),
			parentHandle: (await env.client.info('/Uploads')).handle,
			link: null,
			inRubbishBin: false,
			versionCount: 0,
			outcome: 'created',
		});
		expect(Date.parse(items[0].json.createdAt as string)).not.toBeNaN();
		const body = await readAll(await env.client.download(items[0].json.handle as string));
		expect(sha256(body)).toBe(made.json.sha256);
	});

	test("in n8n's in-memory binary mode the upload still works, and a hint recommends filesystem mode", async () => {
		const input = [{ json: {}, binary: { data: { data: Buffer.from('kept in memory').toString('base64'), mimeType: 'text/plain', fileName: 'memo.txt' } } }];
		const { items, result } = await env.runCloud({ resource: 'file', operation: 'upload', binaryPropertyName: 'data', folder: fromList('') }, { input, binaryMode: 'memory' });
		expect(items[0].json).toMatchObject({ name: 'memo.txt', path: '/memo.txt', size: 14 });
		expect((await readAll(await env.client.download('/memo.txt'))).toString()).toBe('kept in memory');
		const hints = result.run.data.resultData.runData.MEGA[0].hints ?? [];
		expect(hints.map((hint) => hint.message).join(' ')).toMatch(/N8N_DEFAULT_BINARY_DATA_MODE=filesystem/);
	});

	test('name conflicts: keep both, new version, replace, skip, fail; file name and modification time options', async () => {
		const folder = await env.client.mkdir('/Conflicts');
		const first = await put('/Conflicts', 'a.txt', Buffer.from('first'));
		const upload = (onConflict: string, text: string) =>
			env.runCloud(
				{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', folder: byId(folder.handle), fileName: 'a.txt', options: { onConflict } },
				{ input: [{ json: {}, binary: { data: { data: Buffer.from(text).toString('base64'), mimeType: 'text/plain', fileName: 'x.txt' } } }], binaryMode: 'memory' },
			);
		expect((await upload('keepBoth', 'second')).items[0].json).toMatchObject({ name: 'a (1).txt', outcome: 'created' });
		const versioned = (await upload('newVersion', 'third')).items[0].json;
		expect(versioned).toMatchObject({ name: 'a.txt', outcome: 'versioned', versionCount: 1, previousHandle: first.handle });
		const replaced = (await upload('replace', 'fourth')).items[0].json;
		expect(replaced).toMatchObject({ name: 'a.txt', outcome: 'replaced', previousHandle: versioned.handle });
		expect((await env.client.info(versioned.handle as string)).inRubbishBin).toBe(true);
		expect((await upload('skip', 'fifth')).items[0].json).toMatchObject({ handle: replaced.handle, outcome: 'skipped' });
		const failed = await upload('fail', 'sixth').catch((error: unknown) => error);
		expect((failed as Error).message).toMatch(/a\.txt/);
		expect((await readAll(await env.client.download(replaced.handle as string))).toString()).toBe('fourth');

		const { items } = await env.runCloud(
			{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', folder: byPath('/Conflicts'), fileName: 'dated.txt', options: { modifiedAt: '2024-02-03T04:05:06.000Z' } },
			{ input: [{ json: {}, binary: { data: { data: Buffer.from('d').toString('base64'), mimeType: 'text/plain' } } }], binaryMode: 'memory' },
		);
		expect(items[0].json).toMatchObject({ name: 'dated.txt', modifiedAt: '2024-02-03T04:05:06.000Z' });
	});

	test('an upload MEGA makes restart (-4 on a chunk) re-opens the stored binary and still arrives whole', async () => {
		await env.client.mkdir('/Uploads');
		env.sandbox.faults.add({ kind: 'error', code: -4, endpoint: 'upload', count: 1 });
		env.sandbox.resetCounters();
		const { items, result } = await env.runCloud(
			{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', folder: byPath('/Uploads'), fileName: 'restarted.bin' },
			{ before: [make(3 * MIB + 1, 'restart.bin')] },
		);
		expect(env.sandbox.counters().commands.u).toBe(2);
		const body = await readAll(await env.client.download(items[0].json.handle as string));
		expect(sha256(body)).toBe(result.output('Make')[0].json.sha256);
	});

	test('a missing binary field fails before any upload request', async () => {
		env.sandbox.resetCounters();
		const failed = await env.runCloud({ resource: 'file', operation: 'upload', binaryPropertyName: 'nope', folder: byPath('/Uploads') }).catch((e: unknown) => e);
		expect(failed).toMatchObject({ name: 'NodeOperationError', description: 'Make sure that the previous node outputs a binary file' });
		expect(env.sandbox.counters().commands.u ?? 0).toBe(0);
	});
});

describe('file.download', () => {
	test('streams into a filesystem-mode binary with the MEGA name and a MIME type from it; byte-identical', async () => {
		const data = randomBytes(3 * MIB + 11);
		const file = await put('/Downloads', 'photo.png', data);
		const { items, after } = await env.runCloud({ resource: 'file', operation: 'download', file: fromList(file.handle, '/Downloads/photo.png'), binaryPropertyName: 'image' }, { after: read('image') });
		expect(items[0].binary?.image.id).toMatch(/^filesystem-v2:/);
		expect(items[0].binary?.image).toMatchObject({ fileName: 'photo.png', mimeType: 'image/png' });
		expect(items[0].json).toMatchObject({ handle: file.handle, name: 'photo.png', path: '/Downloads/photo.png', size: data.length });
		expect(after[0].json).toMatchObject({ sha256: sha256(data), size: data.length, streamed: true, idPrefix: 'filesystem-v2:' });
	});

	test("in n8n's in-memory binary mode the download still works (base64, no id)", async () => {
		await put('/Downloads', 'notes.txt', Buffer.from('plain text'));
		const { items } = await env.runCloud({ resource: 'file', operation: 'download', file: byPath('/Downloads/notes.txt'), binaryPropertyName: 'data', options: { fileName: 'renamed.txt' } }, { binaryMode: 'memory' });
		expect(items[0].binary?.data.id).toBeUndefined();
		expect(Buffer.from(items[0].binary?.data.data ?? '', 'base64').toString()).toBe('plain text');
		expect(items[0].binary?.data).toMatchObject({ fileName: 'renamed.txt', mimeType: 'text/plain' });
	});

	test.each(['filesystem', 'memory'] as const)('a body the server corrupts fails (%s mode) and emits no binary', async (binaryMode) => {
		await put('/Downloads', `corrupt-${binaryMode}.bin`, randomBytes(MIB + 5));
		env.sandbox.faults.add({ kind: 'flip', endpoint: 'download', count: 100 });
		const { result } = await env.runCloud({ resource: 'file', operation: 'download', file: byPath(`/Downloads/corrupt-${binaryMode}.bin`), binaryPropertyName: 'data' }, { binaryMode, allowError: true, after: read() });
		expect(result.error?.message).toMatch(/MAC|integrity|corrupt/i);
		const task = result.run.data.resultData.runData.MEGA[0];
		expect(task.error).toBeDefined();
		expect(task.data).toBeUndefined();
		expect(result.run.data.resultData.runData.Read).toBeUndefined();
	});
});

describe('file.get', () => {
	test('by path, by ID and by URL (the file link of an exported file)', async () => {
		const file = await put('/Get', 'doc.txt', Buffer.from('doc'));
		const { url } = await env.client.createLink(file.handle);
		for (const locator of [byPath('/Get/doc.txt'), byId(file.handle), byUrl(url)]) {
			const { items } = await env.runCloud({ resource: 'file', operation: 'get', file: locator });
			expect(items[0].json).toMatchObject({ handle: file.handle, name: 'doc.txt', path: '/Get/doc.txt', type: 'file', size: 3, link: url });
		}
	});

	test('a folder where a file is needed, a missing path and an ambiguous name are clear errors', async () => {
		const folder = await env.client.mkdir('/Get/sub');
		const notFile = await env.runCloud({ resource: 'file', operation: 'get', file: byPath('/Get/sub') }).catch((e: unknown) => e);
		expect(notFile).toMatchObject({ name: 'NodeOperationError', message: '"/Get/sub" is a folder, but "File" needs a file' });
		const missing = await env.runCloud({ resource: 'file', operation: 'get', file: byPath('/Get/none.txt') }).catch((e: unknown) => e);
		expect(missing).toMatchObject({ message: '"/Get/none.txt" does not exist in MEGA', description: expect.stringMatching(/case-sensitive/) });
		const other = env.sandbox.client(env.email);
		const twinA = await other.upload('twin.txt', Buffer.from('a'), folder.handle);
		const twinB = await other.upload('twin.txt', Buffer.from('b'), folder.handle);
		const ambiguous = (await env.runCloud({ resource: 'file', operation: 'get', file: byPath('/Get/sub/twin.txt') }).catch((e: unknown) => e)) as Error;
		expect(ambiguous.message).toContain(twinA);
		expect(ambiguous.message).toContain(twinB);
		expect((ambiguous as Error & { description?: string }).description).toMatch(/Use a handle \(ID\)/);
	});
});

describe('file.getVersions', () => {
	test('one item per version, current first', async () => {
		const folder = await env.client.mkdir('/Versions');
		const v1 = await env.client.upload({ parent: folder.handle, name: 'v.txt', source: Buffer.from('1'), size: 1 });
		const v2 = await env.client.upload({ parent: folder.handle, name: 'v.txt', source: Buffer.from('22'), size: 2, onConflict: 'newVersion' });
		const { items } = await env.runCloud({ resource: 'file', operation: 'getVersions', file: byPath('/Versions/v.txt') });
		expect(items.map((i) => [i.json.handle, i.json.version, i.json.current, i.json.size])).toEqual([
			[v2.handle, 0, true, 2],
			[v1.handle, 1, false, 1],
		]);
	});
});

describe('file.deleteOldVersions', () => {
	test('keeps the current version only', async () => {
		const folder = await env.client.mkdir('/OldVersions');
		await env.client.upload({ parent: folder.handle, name: 'o.txt', source: Buffer.from('1'), size: 1 });
		await env.client.upload({ parent: folder.handle, name: 'o.txt', source: Buffer.from('2'), size: 1, onConflict: 'newVersion' });
		const current = await env.client.upload({ parent: folder.handle, name: 'o.txt', source: Buffer.from('3'), size: 1, onConflict: 'newVersion' });
		const { items } = await env.runCloud({ resource: 'file', operation: 'deleteOldVersions', file: byPath('/OldVersions/o.txt') });
		expect(items[0].json).toMatchObject({ handle: current.handle, versionCount: 0, deletedVersions: 2 });
		expect(await env.client.versions(current.handle)).toHaveLength(1);
	});
});

describe('file.copy', () => {
	test('copies into a folder under a new name; the contents match', async () => {
		const file = await put('/CopySource', 'c.txt', Buffer.from('copy me'));
		await env.client.mkdir('/CopyTarget');
		const { items } = await env.runCloud({ resource: 'file', operation: 'copy', file: byId(file.handle), destination: byPath('/CopyTarget'), newName: 'c2.txt' });
		expect(items[0].json).toMatchObject({ name: 'c2.txt', path: '/CopyTarget/c2.txt', size: 7 });
		expect(items[0].json.handle).not.toBe(file.handle);
		expect((await readAll(await env.client.download('/CopyTarget/c2.txt'))).toString()).toBe('copy me');
		expect((await env.client.info(file.handle)).path).toBe('/CopySource/c.txt');
	});
});

describe('file.move', () => {
	test('moves into another folder, keeping the handle', async () => {
		const file = await put('/MoveSource', 'm.txt', Buffer.from('m'));
		const target = await env.client.mkdir('/MoveTarget');
		const { items } = await env.runCloud({ resource: 'file', operation: 'move', file: byPath('/MoveSource/m.txt'), destination: fromList(target.handle) });
		expect(items[0].json).toMatchObject({ handle: file.handle, path: '/MoveTarget/m.txt', parentHandle: target.handle });
	});
});

describe('file.rename', () => {
	test('renames in place', async () => {
		const file = await put('/Rename', 'before.txt', Buffer.from('r'));
		const { items } = await env.runCloud({ resource: 'file', operation: 'rename', file: byId(file.handle), newName: 'after.txt' });
		expect(items[0].json).toMatchObject({ handle: file.handle, name: 'after.txt', path: '/Rename/after.txt' });
	});
});

describe('file.delete', () => {
	test('to the Rubbish Bin by default (restorable), permanently as an option', async () => {
		const soft = await put('/Delete', 'soft.txt', Buffer.from('s'));
		const hard = await put('/Delete', 'hard.txt', Buffer.from('h'));
		const trashed = await env.runCloud({ resource: 'file', operation: 'delete', file: byId(soft.handle) });
		expect(trashed.items[0].json).toMatchObject({ handle: soft.handle, deleted: true, permanently: false, inRubbishBin: true, path: '//bin/soft.txt' });
		expect(trashed.items[0].json.restoreHandle).toBe((await env.client.info('/Delete')).handle);
		const gone = await env.runCloud({ resource: 'file', operation: 'delete', file: byId(hard.handle), options: { permanently: true } });
		expect(gone.items[0].json).toEqual({ handle: hard.handle, name: 'hard.txt', path: '/Delete/hard.txt', type: 'file', deleted: true, permanently: true });
		await expect(env.client.info(hard.handle)).rejects.toMatchObject({ cause: 'not-found' });
	});
});

describe('file.createLink', () => {
	test('a link that opens the same bytes; with a password, a #P! link that needs it', async () => {
		const data = randomBytes(300_000);
		const file = await put('/Links', 'shared.bin', data);
		const plain = (await env.runCloud({ resource: 'file', operation: 'createLink', file: byId(file.handle) })).items[0].json;
		expect(plain).toMatchObject({ handle: file.handle, passwordProtected: false, link: expect.stringMatching(/^https:\/\/mega\.nz\/file\/[A-Za-z0-9_-]{8}#[A-Za-z0-9_-]{43}$/) });
		expect(sha256(await readAll(await openPublicDownload(plain.link as string, { gateway: env.sandbox.gateway })))).toBe(sha256(data));

		const protectedLink = (await env.runCloud({ resource: 'file', operation: 'createLink', file: byId(file.handle), options: { password: 'open sesame' } })).items[0].json;
		expect(protectedLink).toMatchObject({ passwordProtected: true, link: expect.stringMatching(/^https:\/\/mega\.nz\/#P!/) });
		// The protected link's output must not reveal the key it protects.
		expect(JSON.stringify(protectedLink)).not.toContain((plain.link as string).split('#')[1]);
		await expect(openPublicDownload(protectedLink.link as string, { gateway: env.sandbox.gateway })).rejects.toMatchObject({ code: 'ELINKPASSWORD' });
		const opened = await readAll(await openPublicDownload(protectedLink.link as string, { gateway: env.sandbox.gateway, password: 'open sesame' }));
		expect(sha256(opened)).toBe(sha256(data));
	});
});

describe('file.deleteLink', () => {
	test('the link stops working', async () => {
		const file = await put('/Links', 'unshare.txt', Buffer.from('u'));
		const { url } = await env.client.createLink(file.handle);
		const { items } = await env.runCloud({ resource: 'file', operation: 'deleteLink', file: byPath('/Links/unshare.txt') });
		expect(items[0].json).toMatchObject({ handle: file.handle, link: null });
		await expect(openPublicDownload(url, { gateway: env.sandbox.gateway })).rejects.toMatchObject({ cause: 'not-found' });
	});
});
