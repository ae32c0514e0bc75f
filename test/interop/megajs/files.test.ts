import { randomBytes } from 'node:crypto';
import type { MutableFile, Storage } from 'megajs';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { closeAll, openStorage } from './helpers';

const MiB = 1024 * 1024;

function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
	const began = Date.now();
	return new Promise((resolve, reject) => {
		const tick = (): void => {
			if (check()) return resolve();
			if (Date.now() - began > timeoutMs) return reject(new Error('condition not reached'));
			setTimeout(tick, 25);
		};
		tick();
	});
}

describe('megajs works with files on the sandbox', () => {
	let sandbox: MegaSandbox;
	let storage: Storage;
	let errors: Error[];

	beforeAll(async () => {
		sandbox = await startMegaSandbox({ waitTimeoutMs: 5000 });
		await sandbox.createAccount({ email: 'files@interop.local', password: 'files password' });
		const client = sandbox.client('files@interop.local');
		const docs = await client.mkdir('Documents');
		await client.upload('seeded.txt', Buffer.from('seeded by the provisioning client'), docs);
		({ storage, errors } = await openStorage(sandbox.gateway, 'files@interop.local', 'files password'));
	});
	afterAll(async () => {
		expect(errors).toEqual([]);
		await closeAll();
		await sandbox.close();
	});

	it('lists folders and files and downloads what another client uploaded', async () => {
		const docs = storage.root.children?.find((c) => c.name === 'Documents') as MutableFile;
		expect(docs.directory).toBe(true);
		const seeded = docs.children?.find((c) => c.name === 'seeded.txt') as MutableFile;
		expect(seeded.size).toBe(33);
		expect((await seeded.downloadBuffer({})).toString()).toBe('seeded by the provisioning client');
	});

	it('makes folders that the other side can decrypt', async () => {
		const folder = await storage.mkdir('made by megajs');
		expect(folder.nodeId).toMatch(/^[A-Za-z0-9_-]{8}$/);
		const listed = await sandbox.client('files@interop.local').list();
		expect(listed).toContainEqual(expect.objectContaining({ handle: folder.nodeId, name: 'made by megajs', type: 1 }));
	});

	// megajs mis-MACs files that end exactly on a chunk boundary (and 0-byte files): those sizes are left to our core.
	it.each([1, 15, 16, 17, MiB + 3, 5 * MiB + 7])('uploads %i bytes and downloads them with the MAC verified', async (size) => {
		const data = randomBytes(size);
		// megajs encrypts the buffer it is given in place: give it a copy.
		const file = await storage.upload({ name: `size-${size}.bin`, size }, Buffer.from(data)).complete;
		expect(file.size).toBe(size);
		expect(sandbox.getNode(file.nodeId as string)?.s).toBe(size);
		const back = await file.downloadBuffer({});
		expect(back.equals(data)).toBe(true);
		// The provisioning client (our crypto) reads megajs's upload too: same key layout, same MAC.
		expect((await sandbox.client('files@interop.local').download(file.nodeId as string)).equals(data)).toBe(true);
	});

	it('fails a download whose body was corrupted on the way (MAC check)', async () => {
		const data = randomBytes(50_000);
		const file = await storage.upload({ name: 'corrupt-me.bin', size: data.length }, Buffer.from(data)).complete;
		sandbox.faults.add({ kind: 'flip', endpoint: 'download', at: 1234 });
		await expect(file.downloadBuffer({ maxConnections: 1 })).rejects.toThrow(/MAC verification failed/);
	});

	it('renames, moves, trashes and deletes', async () => {
		const target = await storage.mkdir('move target');
		const file = await storage.upload({ name: 'before.txt', size: 5 }, Buffer.from('hello')).complete;
		await file.rename('after.txt');
		expect(file.name).toBe('after.txt');
		const client = sandbox.client('files@interop.local');
		expect(await client.list()).toContainEqual(expect.objectContaining({ handle: file.nodeId, name: 'after.txt' }));

		await file.moveTo(target);
		// megajs learns about the move from the change feed.
		await until(() => file.parent === target);
		expect((await client.list()).find((n) => n.handle === file.nodeId)?.parent).toBe(target.nodeId);

		await file.delete();
		await until(() => file.parent === storage.trash);
		expect((await client.list()).find((n) => n.handle === file.nodeId)?.parent).toBe(storage.trash.nodeId);

		await file.delete(true);
		await until(() => !storage.trash.children?.includes(file));
		expect((await client.list()).some((n) => n.handle === file.nodeId)).toBe(false);
	});
});
