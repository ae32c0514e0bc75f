import { randomBytes } from 'node:crypto';
import { API, File, type MutableFile, type Storage } from 'megajs';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { closeAll, completed, openStorage, useSandboxGlobalApi } from './helpers';

describe('megajs file and folder links on the sandbox', () => {
	let sandbox: MegaSandbox;
	let storage: Storage;
	let errors: Error[];

	beforeAll(async () => {
		sandbox = await startMegaSandbox({ waitTimeoutMs: 5000 });
		await sandbox.createAccount({ email: 'links@interop.local', password: 'links password' });
		await sandbox.createAccount({ email: 'importer@interop.local', password: 'importer password' });
		({ storage, errors } = await openStorage(sandbox.gateway, 'links@interop.local', 'links password'));
		// Files listed inside a megajs folder link download through megajs's global API: keep that on the sandbox.
		useSandboxGlobalApi(sandbox.gateway);
	});
	afterAll(async () => {
		expect(errors).toEqual([]);
		await closeAll();
		await sandbox.close();
	});

	it('creates a file link that opens with File.fromURL against the sandbox and downloads', async () => {
		const data = randomBytes(300_000);
		const file = await storage.upload({ name: 'shared.bin', size: data.length }, Buffer.from(data)).complete;
		const url = await file.link({});
		expect(url).toMatch(/^https:\/\/mega\.nz\/file\/[A-Za-z0-9_-]{8}#[A-Za-z0-9_-]{43}$/);
		const opened = File.fromURL(url, { api: storage.api });
		await opened.loadAttributes();
		expect(opened.name).toBe('shared.bin');
		expect(opened.size).toBe(data.length);
		expect((await opened.downloadBuffer({})).equals(data)).toBe(true);

		// Someone else imports it into their own account.
		const other = await openStorage(sandbox.gateway, 'importer@interop.local', 'importer password');
		const imported = await other.storage.root.importFile(url);
		expect(imported.name).toBe('shared.bin');
		expect((await imported.downloadBuffer({})).equals(data)).toBe(true);

		await file.unshare();
		const gone = File.fromURL(url, { api: storage.api });
		await expect(gone.loadAttributes()).rejects.toThrow(/ENOENT \(-9\)/);
	});

	it('creates a folder link (s2 with cr, then l) that lists the subtree and downloads from it', async () => {
		const folder = await storage.mkdir('shared folder');
		const inner = await folder.mkdir('inner');
		const data = randomBytes(20_000);
		await completed(inner.upload({ name: 'deep.bin', size: data.length }, Buffer.from(data)));
		const url = await folder.link({});
		expect(url).toMatch(/^https:\/\/mega\.nz\/folder\/[A-Za-z0-9_-]{8}#[A-Za-z0-9_-]{22}$/);

		// A file added after the link was made: megajs sends `cr`, so it opens through the link too.
		const later = randomBytes(999);
		await completed(folder.upload({ name: 'later.bin', size: later.length }, Buffer.from(later)));

		const linkApi = new API(false, { gateway: sandbox.gateway });
		const opened = File.fromURL(url, { api: linkApi });
		await opened.loadAttributes();
		expect(opened.name).toBe('shared folder');
		expect(opened.children?.map((c) => c.name).sort()).toEqual(['inner', 'later.bin']);
		const deep = (opened.children?.find((c) => c.name === 'inner') as File).children?.[0] as File;
		expect(deep.name).toBe('deep.bin');
		expect((await deep.downloadBuffer({})).equals(data)).toBe(true);
		const laterFile = opened.children?.find((c) => c.name === 'later.bin') as File;
		expect((await laterFile.downloadBuffer({})).equals(later)).toBe(true);

		// The same link opened with the storage's own API, as megajs's docs show.
		const viaStorage = File.fromURL(url, { api: storage.api });
		await viaStorage.loadAttributes();
		expect(viaStorage.children).toHaveLength(2);
	});

	it('removes a folder link (s2 with r "") so it no longer opens', async () => {
		const folder = (await storage.mkdir('temporarily shared')) as MutableFile;
		const url = await folder.link({});
		await folder.unshare();
		const opened = File.fromURL(url, { api: new API(false, { gateway: sandbox.gateway }) });
		await expect(opened.loadAttributes()).rejects.toThrow(/ENOENT \(-9\)/);
	});
});
