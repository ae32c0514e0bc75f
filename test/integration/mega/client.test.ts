import { randomBytes } from 'node:crypto';

import { MegaClient, forgetLiveTrees, listPublicFolder, openPublicDownload, openPublicFolder, publicFileInfo } from '../../../core/mega/client';
import {
	MegaAmbiguousPathError,
	MegaApiError,
	MegaInvalidOperationError,
	MegaLinkError,
	MegaNotFoundError,
	MegaRetryExhaustedError,
} from '../../../core/mega/errors';
import { clearSessionCache } from '../../../core/mega/session';
import type { MegaSandbox } from '../../../sandbox/mega';
import { fastRetry, useMegaSandbox } from '../../support/mega-sandbox';

let sandbox: MegaSandbox;
let accountCounter = 0;

useMegaSandbox((started) => {
	sandbox = started;
});

/** A fresh account and a client for it (each test gets its own tree). */
async function freshClient(): Promise<{ client: MegaClient; email: string }> {
	accountCounter += 1;
	const email = `user${accountCounter}@client.test`;
	await sandbox.createAccount({ email, password: `pw-${accountCounter}`, version: 2 });
	const client = await MegaClient.connect({ kind: 'password', email, password: `pw-${accountCounter}` }, { gateway: sandbox.gateway, retry: fastRetry });
	return { client, email };
}

describe('tree and paths', () => {
	it('lists, resolves paths and handles, and makes folders with mkdir -p', async () => {
		const { client } = await freshClient();
		const reports = await client.mkdir('/Documents/reports/2026');
		expect(reports).toMatchObject({ name: '2026', path: '/Documents/reports/2026', type: 'folder', inRubbishBin: false });
		const again = await client.mkdir('Documents/reports/2026');
		expect(again.handle).toBe(reports.handle);
		const documents = await client.info('/Documents');
		expect(documents.type).toBe('folder');
		expect(await client.info(reports.handle)).toMatchObject({ path: '/Documents/reports/2026' });
		expect((await client.list('/Documents')).map((n) => n.name)).toEqual(['reports']);
		expect((await client.list('/', { recursive: true })).map((n) => n.path).sort()).toEqual(['/Documents', '/Documents/reports', '/Documents/reports/2026']);
		const root = await client.info('/');
		expect(root.type).toBe('root');
	});

	it('reports a missing path and an ambiguous one (listing the handles)', async () => {
		const { client, email } = await freshClient();
		const other = sandbox.client(email);
		const a = await other.mkdir('Twin');
		const b = await other.mkdir('Twin');
		const missing = (await client.info('/Nope/deeper').catch((e: unknown) => e)) as MegaNotFoundError;
		expect(missing).toBeInstanceOf(MegaNotFoundError);
		expect(missing.cause).toBe('not-found');
		expect(missing.message).toContain('/Nope');
		const ambiguous = (await client.info('/Twin').catch((e: unknown) => e)) as MegaAmbiguousPathError;
		expect(ambiguous).toBeInstanceOf(MegaAmbiguousPathError);
		expect(ambiguous.handles.sort()).toEqual([a, b].sort());
		expect(ambiguous.message).toContain(a);
		await expect(client.info('ZZZZZZZZ')).rejects.toBeInstanceOf(MegaNotFoundError);
		expect((await client.info(a)).handle).toBe(a);
		await other.mkdir('Reports1');
		expect((await client.info('Reports1')).name).toBe('Reports1');
		await expect(client.info('Nope/deeper')).rejects.toBeInstanceOf(MegaNotFoundError);
	});

	it('fetches the tree once per account and costs one sc request per use when idle', async () => {
		const { client, email } = await freshClient();
		await client.list('/');
		const second = await MegaClient.connect({ kind: 'password', email, password: email.replace(/^user(\d+)@.*$/, 'pw-$1') }, { gateway: sandbox.gateway, retry: fastRetry });
		sandbox.resetCounters();
		await second.list('/');
		await client.info('/');
		const counters = sandbox.counters();
		expect(counters.commands.f ?? 0).toBe(0);
		expect(counters.endpoints.sc).toBe(2);
		expect(client.treeFetchCount).toBe(1);
	});

	it('sees a change made by another client a moment ago', async () => {
		const { client, email } = await freshClient();
		await client.list('/');
		await sandbox.client(email).mkdir('FromElsewhere');
		expect((await client.list('/')).map((n) => n.name)).toContain('FromElsewhere');
	});

	it('reloads the tree when it is too far behind (-6)', async () => {
		const { client, email } = await freshClient();
		await client.list('/');
		const other = sandbox.client(email);
		await other.mkdir('One');
		await other.mkdir('Two');
		sandbox.trimScLog(email, 0);
		expect((await client.list('/')).map((n) => n.name).sort()).toEqual(['One', 'Two']);
		expect(client.treeFetchCount).toBe(2);
	});
});

describe('file operations', () => {
	it('renames keeping the mtime fingerprint, labels and unknown attributes', async () => {
		const { client, email } = await freshClient();
		const handle = await sandbox.client(email).upload('report.txt', Buffer.from('hello'), undefined, { mtime: 1_700_000_000 });
		const before = await client.setAttributes(handle, { lbl: 3, _custom: 'kept' });
		expect(before.modifiedAt.getTime()).toBe(1_700_000_000_000);
		const renamed = await client.rename('/report.txt', 'final.txt');
		expect(renamed).toMatchObject({ name: 'final.txt', path: '/final.txt', label: 3 });
		expect(renamed.modifiedAt.getTime()).toBe(1_700_000_000_000);
		const tree = await client.tree();
		const entry = tree.get(handle);
		expect(entry && tree.attributesOf(entry)).toMatchObject({ n: 'final.txt', lbl: 3, _custom: 'kept' });
		expect(typeof (entry && tree.attributesOf(entry))?.c).toBe('string');
		// another client (megajs-like) reads the new name
		expect((await sandbox.client(email).list()).find((n) => n.handle === handle)?.name).toBe('final.txt');
	});

	it('moves, and refuses to move a folder into its own subtree', async () => {
		const { client } = await freshClient();
		const a = await client.mkdir('/A/B/C');
		const target = await client.mkdir('/Target');
		const moved = await client.move('/A', target.handle);
		expect(moved.path).toBe('/Target/A');
		expect((await client.info(a.handle)).path).toBe('/Target/A/B/C');
		const error = (await client.move('/Target/A', '/Target/A/B/C').catch((e: unknown) => e)) as MegaInvalidOperationError;
		expect(error).toBeInstanceOf(MegaInvalidOperationError);
		expect(error.code).toBe('ECIRCULAR');
		await expect(client.move('/Target/A', '/Target/A')).rejects.toBeInstanceOf(MegaInvalidOperationError);
	});

	it('copies files and folders server-side', async () => {
		const { client, email } = await freshClient();
		const folder = await client.mkdir('/Src/inner');
		await sandbox.client(email).upload('data.bin', Buffer.from('copy me'), folder.handle);
		const copy = await client.copy('/Src', '/', { name: 'Copy' });
		expect(copy.path).toBe('/Copy');
		const file = await client.info('/Copy/inner/data.bin');
		expect(file.size).toBe(7);
		const downloaded = await sandbox.client(email).download(file.handle);
		expect(downloaded.toString()).toBe('copy me');
	});

	it('trashes with rr, lists the rubbish bin, restores to the original folder', async () => {
		const { client, email } = await freshClient();
		const folder = await client.mkdir('/Keep');
		await sandbox.client(email).upload('doc.txt', Buffer.from('x'), folder.handle);
		const trashed = await client.trash('/Keep/doc.txt');
		expect(trashed).toMatchObject({ inRubbishBin: true, restoreHandle: folder.handle, path: '//bin/doc.txt' });
		expect((await client.listRubbishBin()).map((n) => n.name)).toEqual(['doc.txt']);
		const restored = await client.restore(trashed.handle);
		expect(restored).toMatchObject({ path: '/Keep/doc.txt', inRubbishBin: false });
		expect(restored.restoreHandle).toBeUndefined();
	});

	it('restores to a given folder when the original folder is gone, and fails without one', async () => {
		const { client, email } = await freshClient();
		const folder = await client.mkdir('/Gone');
		const handle = await sandbox.client(email).upload('orphan.txt', Buffer.from('x'), folder.handle);
		await client.trash(handle);
		await client.delete('/Gone');
		const error = (await client.restore(handle).catch((e: unknown) => e)) as MegaNotFoundError;
		expect(error).toBeInstanceOf(MegaNotFoundError);
		expect(error.hint).toMatch(/destination/);
		const elsewhere = await client.mkdir('/Elsewhere');
		expect((await client.restore(handle, { destination: elsewhere.handle })).path).toBe('/Elsewhere/orphan.txt');
	});

	it('deletes permanently and empties the rubbish bin', async () => {
		const { client } = await freshClient();
		await client.mkdir('/ToDelete');
		await client.delete('/ToDelete');
		await expect(client.info('/ToDelete')).rejects.toBeInstanceOf(MegaNotFoundError);
		await client.trash(await client.mkdir('/Bin1'));
		await client.trash(await client.mkdir('/Bin2'));
		expect(await client.listRubbishBin()).toHaveLength(2);
		await client.emptyRubbishBin();
		expect(await client.listRubbishBin()).toHaveLength(0);
	});

	it('lists and deletes old versions of a file', async () => {
		const { client } = await freshClient();
		const first = await client.upload({ name: 'v.txt', source: Buffer.from('one') });
		await client.upload({ name: 'v.txt', source: Buffer.from('two!'), onConflict: 'newVersion' });
		const current = await client.upload({ name: 'v.txt', source: Buffer.from('three'), onConflict: 'newVersion' });
		const versions = await client.versions('/v.txt');
		expect(versions.map((v) => v.size)).toEqual([5, 4, 3]);
		expect(versions[0].handle).toBe(current.handle);
		expect(versions[0].versionCount).toBe(2);
		expect(versions[2].handle).toBe(first.handle);
		expect((await client.list('/')).filter((n) => n.name === 'v.txt')).toHaveLength(1);
		const after = await client.deleteVersions('/v.txt');
		expect(after.versionCount).toBe(0);
		expect(await client.versions('/v.txt')).toHaveLength(1);
	});

	it('searches by glob, regex, type, size and date, under a folder', async () => {
		const { client, email } = await freshClient();
		const other = sandbox.client(email);
		const docs = await client.mkdir('/Docs/Deep');
		await other.upload('alpha.txt', Buffer.alloc(10), undefined, { mtime: 1_600_000_000 });
		await other.upload('beta.TXT', Buffer.alloc(100), docs.handle, { mtime: 1_700_000_000 });
		await other.upload('gamma.pdf', Buffer.alloc(1000), docs.handle, { mtime: 1_750_000_000 });
		const names = (nodes: Array<{ name: string }>) => nodes.map((n) => n.name).sort();
		expect(names(await client.search({ name: '*.txt' }))).toEqual(['alpha.txt', 'beta.TXT']);
		expect(names(await client.search({ regex: /^g/ }))).toEqual(['gamma.pdf']);
		expect(names(await client.search({ type: 'folder' }))).toEqual(['Deep', 'Docs']);
		expect(names(await client.search({ minSize: 50, maxSize: 500 }))).toEqual(['beta.TXT']);
		expect(names(await client.search({ type: 'file', modifiedAfter: new Date(1_650_000_000_000) }))).toEqual(['beta.TXT', 'gamma.pdf']);
		expect(names(await client.search({ under: '/Docs', recursive: false }))).toEqual(['Deep']);
		expect(names(await client.search({ under: '/Docs', type: 'file' }))).toEqual(['beta.TXT', 'gamma.pdf']);
	});

	it('reports quota and account info', async () => {
		const { client, email } = await freshClient();
		await sandbox.client(email).upload('q.bin', Buffer.alloc(1234));
		const quota = await client.quota();
		expect(quota.storageUsed).toBe(1234);
		expect(quota.storageMax).toBeGreaterThan(1234);
		const account = await client.account();
		expect(account).toMatchObject({ email, ephemeral: false, userHandle: client.userHandle });
	});

	it('uploads and downloads through the transfer pipeline', async () => {
		const { client } = await freshClient();
		const data = randomBytes(300_000);
		const uploaded = await client.upload({ parent: '/', name: 'blob.bin', source: data, mtime: 1_650_000_000 });
		expect(uploaded.file).toMatchObject({ name: 'blob.bin', size: 300_000, path: '/blob.bin' });
		expect(uploaded.file.modifiedAt.getTime()).toBe(1_650_000_000_000);
		const stream = await client.download('/blob.bin');
		const chunks: Buffer[] = [];
		for await (const chunk of stream) chunks.push(chunk as Buffer);
		expect(Buffer.concat(chunks).equals(data)).toBe(true);
	});
});

describe('concurrency', () => {
	it('runs many operations at once on one shared tree and sees every result', async () => {
		const { client } = await freshClient();
		const names = Array.from({ length: 12 }, (_, i) => `parallel-${i}`);
		const created = await Promise.all(names.map((name) => client.mkdir(`/P/${name}`)));
		expect(created.map((n) => n.name)).toEqual(names);
		const renamed = await Promise.all(created.map((node, i) => client.rename(node.handle, `renamed-${i}`)));
		expect(renamed.map((n) => n.path)).toEqual(names.map((_, i) => `/P/renamed-${i}`));
		expect((await client.list('/P')).length).toBe(12);
		expect(client.treeFetchCount).toBe(1);
	});
});

describe('failures from the server', () => {
	it('survives an EAGAIN storm; the request is resent with the same id and applied once', async () => {
		const { client, email } = await freshClient();
		await client.list('/');
		sandbox.resetCounters();
		sandbox.faults.add({ kind: 'error', code: -3, endpoint: 'cs', command: 'p', count: 3 });
		sandbox.faults.add({ kind: 'drop', endpoint: 'cs', command: 'p', count: 1 });
		await client.mkdir('/Stormy');
		const counters = sandbox.counters();
		expect(counters.applied.p).toBe(1);
		expect(counters.commands.p).toBeGreaterThanOrEqual(5);
		expect(counters.replayed).toBeGreaterThanOrEqual(1);
		expect((await sandbox.client(email).list()).filter((n) => n.name === 'Stormy')).toHaveLength(1);
	});

	it('backs off on rate limiting and gives up with a rate-limited error when it never ends', async () => {
		const { client } = await freshClient();
		await client.list('/');
		sandbox.faults.add({ kind: 'error', code: -4, endpoint: 'cs', command: 'p', count: 2 });
		await expect(client.mkdir('/Eventually')).resolves.toMatchObject({ name: 'Eventually' });
		sandbox.faults.add({ kind: 'error', code: -4, endpoint: 'cs', command: 'p', count: 100 });
		const error = (await client.mkdir('/Never').catch((e: unknown) => e)) as MegaRetryExhaustedError;
		expect(error).toBeInstanceOf(MegaRetryExhaustedError);
		expect(error.cause).toBe('rate-limited');
	});

	it('reports an over-quota account as quota-exhausted', async () => {
		const { client, email } = await freshClient();
		await sandbox.client(email).upload('big.bin', Buffer.alloc(5000));
		sandbox.setQuota(email, { storageBytes: 6000 });
		const error = (await client.copy('/big.bin', '/').catch((e: unknown) => e)) as MegaApiError;
		expect(error).toBeInstanceOf(MegaApiError);
		expect(error.errno).toBe(-17);
		expect(error.cause).toBe('quota-exhausted');
	});

	it('re-logs in transparently when the session expires', async () => {
		const { client, email } = await freshClient();
		await client.list('/');
		sandbox.expireSessions(email);
		await expect(client.mkdir('/AfterExpiry')).resolves.toMatchObject({ name: 'AfterExpiry' });
	});
});

describe('links', () => {
	it('creates a file link that opens without login, and removes it', async () => {
		const { client, email } = await freshClient();
		const handle = await sandbox.client(email).upload('shared.txt', Buffer.from('public!'));
		const { url, node } = await client.createLink(handle);
		expect(url).toMatch(/^https:\/\/mega\.nz\/file\/[A-Za-z0-9_-]{8}#[A-Za-z0-9_-]{43}$/);
		expect(node.link).toBe(url);
		expect(await publicFileInfo(url, { gateway: sandbox.gateway })).toMatchObject({ name: 'shared.txt', size: 7 });
		expect((await client.createLink(handle)).url).toBe(url);
		const removed = await client.removeLink(handle);
		expect(removed.link).toBeNull();
		await expect(publicFileInfo(url, { gateway: sandbox.gateway })).rejects.toBeInstanceOf(MegaNotFoundError);
	});

	it('creates a folder link with the subtree keys; a file added later opens through it', async () => {
		const { client, email } = await freshClient();
		const folder = await client.mkdir('/Public/sub');
		await sandbox.client(email).upload('early.txt', Buffer.from('early'), folder.handle);
		const { url } = await client.createLink('/Public');
		expect(url).toMatch(/^https:\/\/mega\.nz\/folder\/[A-Za-z0-9_-]{8}#[A-Za-z0-9_-]{22}$/);
		await client.mkdir('/Public/later-folder');
		await client.upload({ parent: '/Public/sub', name: 'late.txt', source: Buffer.from('added after the link') });
		await client.copy('/Public/sub/early.txt', '/Public', { name: 'copied.txt' });
		const listing = await listPublicFolder(url, { gateway: sandbox.gateway, recursive: true });
		const byName = new Map(listing.map((n) => [n.name, n]));
		expect([...byName.keys()].sort()).toEqual(['copied.txt', 'early.txt', 'late.txt', 'later-folder', 'sub']);
		expect(listing.every((n) => n.decrypted)).toBe(true);
		expect(byName.get('late.txt')?.path).toBe('/sub/late.txt');
		const folderLink = await openPublicFolder(url, { gateway: sandbox.gateway });
		expect(folderLink.root.name).toBe('Public');
		const late = byName.get('late.txt')?.handle as string;
		const chunks: Buffer[] = [];
		for await (const chunk of await openPublicDownload(url, { gateway: sandbox.gateway, childHandle: late })) chunks.push(chunk as Buffer);
		expect(Buffer.concat(chunks).toString()).toBe('added after the link');
	});

	it('downloads a file link with one g request; a wrong key or a removed link fails before any bytes', async () => {
		const { client, email } = await freshClient();
		const handle = await sandbox.client(email).upload('public.bin', Buffer.from('public bytes'));
		const { url } = await client.createLink(handle);
		sandbox.resetCounters();
		const chunks: Buffer[] = [];
		for await (const chunk of await openPublicDownload(url, { gateway: sandbox.gateway })) chunks.push(chunk as Buffer);
		expect(Buffer.concat(chunks).toString()).toBe('public bytes');
		expect(sandbox.counters().commands.g).toBe(1);

		const wrongKey = url.replace(/#.*/, `#${randomBytes(32).toString('base64url')}`);
		sandbox.resetCounters();
		await expect(openPublicDownload(wrongKey, { gateway: sandbox.gateway })).rejects.toMatchObject({ code: 'ELINKKEY' });
		expect(sandbox.counters().endpoints.download).toBe(0);
		await client.removeLink(handle);
		await expect(openPublicDownload(url, { gateway: sandbox.gateway })).rejects.toBeInstanceOf(MegaNotFoundError);
	});

	it('rejects malformed links, wrong keys and wrong passwords', async () => {
		const { client, email } = await freshClient();
		const handle = await sandbox.client(email).upload('secret.txt', Buffer.from('s'));
		const { url } = await client.createLink(handle);
		const wrongKey = url.replace(/#.*/, `#${randomBytes(32).toString('base64url')}`);
		await expect(publicFileInfo(wrongKey, { gateway: sandbox.gateway })).rejects.toMatchObject({ code: 'ELINKKEY' });
		await expect(publicFileInfo('https://mega.nz/file/abc', { gateway: sandbox.gateway })).rejects.toBeInstanceOf(MegaLinkError);
		await expect(publicFileInfo('https://example.com/file/AAAAAAAA#x', { gateway: sandbox.gateway })).rejects.toMatchObject({ code: 'ELINK' });
		const folder = await client.createLink(await client.mkdir('/Locked'));
		const wrongFolderKey = folder.url.replace(/#.*/, `#${randomBytes(16).toString('base64url')}`);
		await expect(listPublicFolder(wrongFolderKey, { gateway: sandbox.gateway })).rejects.toMatchObject({ code: 'ELINKKEY' });

		const protectedLink = await client.createLink(handle, { password: 'open sesame' });
		expect(protectedLink.url).toMatch(/#P!/);
		expect(await publicFileInfo(protectedLink.url, { gateway: sandbox.gateway, password: 'open sesame' })).toMatchObject({ name: 'secret.txt' });
		await expect(publicFileInfo(protectedLink.url, { gateway: sandbox.gateway, password: 'wrong' })).rejects.toMatchObject({ code: 'ELINKPASSWORD' });
	});

	it('imports a public file link into the account', async () => {
		const owner = await freshClient();
		const handle = await sandbox.client(owner.email).upload('gift.txt', Buffer.from('for you'));
		const { url } = await owner.client.createLink(handle);
		const { client, email } = await freshClient();
		await client.mkdir('/Inbox');
		const imported = await client.importLink(url, '/Inbox');
		expect(imported).toMatchObject({ name: 'gift.txt', path: '/Inbox/gift.txt', size: 7 });
		expect((await sandbox.client(email).download(imported.handle)).toString()).toBe('for you');
	});
});

describe('folder link import', () => {
	it('imports a whole public folder link, and one file named inside it', async () => {
		const owner = await freshClient();
		const folder = await owner.client.mkdir('/Album/sub');
		const photo = randomBytes(200_000);
		await sandbox.client(owner.email).upload('photo.jpg', photo, folder.handle, { mtime: 1_600_000_000 });
		await owner.client.upload({ parent: '/Album', name: 'readme.txt', source: Buffer.from('read me') });
		await owner.client.setAttributes('/Album/readme.txt', { lbl: 4 });
		const { url } = await owner.client.createLink('/Album');
		const { client } = await freshClient();
		const imported = await client.importLink(url, '/');
		expect(imported).toMatchObject({ name: 'Album', path: '/Album', type: 'folder' });
		const files = await client.list('/Album', { recursive: true });
		expect(files.map((n) => n.path).sort()).toEqual(['/Album/readme.txt', '/Album/sub', '/Album/sub/photo.jpg']);
		const copied = await client.info('/Album/sub/photo.jpg');
		expect(copied.modifiedAt.getTime()).toBe(1_600_000_000_000);
		expect((await client.info('/Album/readme.txt')).label).toBe(4);
		const chunks: Buffer[] = [];
		for await (const chunk of await client.download(copied.handle)) chunks.push(chunk as Buffer);
		expect(Buffer.concat(chunks).equals(photo)).toBe(true);

		const readme = (await owner.client.info('/Album/readme.txt')).handle;
		const single = await client.importLink(`${url}/file/${readme}`, '/');
		expect(single).toMatchObject({ name: 'readme.txt', path: '/readme.txt', size: 7 });
	});
});

describe('change feed', () => {
	it('reports typed events with names and paths, and marks our own changes', async () => {
		const { client, email } = await freshClient();
		const start = await client.changes();
		expect(start.events).toEqual([]);
		const other = sandbox.client(email);
		const folder = await other.mkdir('Inbox2');
		const file = await other.upload('a.txt', Buffer.from('a'), folder);
		await other.rename(file, 'b.txt');
		const mine = await client.mkdir('/Mine');
		await client.move(`/Inbox2/b.txt`, mine.handle);
		await other.remove(folder);
		const batch = await client.changes(start.sn);
		expect(batch.tooFarBehind).toBe(false);
		const summary = batch.events.map((e) => [e.type, e.node?.path ?? e.previous?.path, e.own]);
		expect(summary).toEqual([
			['added', '/Inbox2', false],
			['added', '/Inbox2/a.txt', false],
			['renamed', '/Inbox2/b.txt', false],
			['added', '/Mine', true],
			['moved', '/Mine/b.txt', true],
			['deleted', '/Inbox2', false],
		]);
		const renamed = batch.events[2];
		expect(renamed.previous?.name).toBe('a.txt');
		expect(batch.events[4].previous?.path).toBe('/Inbox2/b.txt');
		const again = await client.changes(batch.sn);
		expect(again.events).toEqual([]);
	});

	it('reports a new version as updated', async () => {
		const { client } = await freshClient();
		await client.upload({ name: 'doc.txt', source: Buffer.from('1') });
		const { sn } = await client.changes();
		await client.upload({ name: 'doc.txt', source: Buffer.from('22'), onConflict: 'newVersion' });
		const batch = await client.changes(sn);
		expect(batch.events.map((e) => [e.type, e.node?.path, e.node?.versionCount])).toEqual([['updated', '/doc.txt', 1]]);
	});

	it('lists changes from a stored position after a restart, and says when it is too far behind', async () => {
		const { client, email } = await freshClient();
		const { sn } = await client.changes();
		await sandbox.client(email).mkdir('WhileAway');
		// a new process: no live tree, no session cache
		forgetLiveTrees();
		clearSessionCache();
		const restarted = await MegaClient.connect({ kind: 'password', email, password: email.replace(/^user(\d+)@.*$/, 'pw-$1') }, { gateway: sandbox.gateway, retry: fastRetry });
		const batch = await restarted.changes(sn);
		expect(batch.events.map((e) => [e.type, e.node?.path])).toEqual([['added', '/WhileAway']]);
		sandbox.trimScLog(email, 0);
		const behind = await restarted.changes(sn);
		expect(behind.tooFarBehind).toBe(true);
		expect(behind.sn).toBe(batch.sn);
	});
});
