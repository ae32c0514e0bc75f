import type { MutableFile, Storage } from 'megajs';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { closeAll, openStorage, waitForEvent } from './helpers';

describe('megajs receives change events made by a second client', () => {
	let sandbox: MegaSandbox;
	let watcher: Storage;
	let actor: Storage;
	let errors: Error[];

	beforeAll(async () => {
		sandbox = await startMegaSandbox({ waitTimeoutMs: 20_000 });
		await sandbox.createAccount({ email: 'events@interop.local', password: 'events password' });
		({ storage: watcher, errors } = await openStorage(sandbox.gateway, 'events@interop.local', 'events password'));
		({ storage: actor } = await openStorage(sandbox.gateway, 'events@interop.local', 'events password'));
	});
	afterAll(async () => {
		expect(errors).toEqual([]);
		await closeAll();
		await sandbox.close();
	});

	it('emits add, update, move and delete for changes made by a second megajs instance', async () => {
		const added = waitForEvent<[MutableFile]>(watcher, 'add');
		const folder = await actor.mkdir('from the second client');
		const [seen] = await added;
		expect(seen.nodeId).toBe(folder.nodeId);
		expect(seen.name).toBe('from the second client');

		const addedFile = waitForEvent<[MutableFile]>(watcher, 'add');
		const file = await actor.upload({ name: 'note.txt', size: 4 }, Buffer.from('note')).complete;
		expect((await addedFile)[0].name).toBe('note.txt');

		const updated = waitForEvent<[MutableFile]>(watcher, 'update');
		await file.rename('renamed note.txt');
		const [renamed] = await updated;
		expect(renamed.nodeId).toBe(file.nodeId);
		expect(renamed.name).toBe('renamed note.txt');

		const moved = waitForEvent<[MutableFile, MutableFile]>(watcher, 'move');
		await file.moveTo(folder);
		const [movedFile, oldParent] = await moved;
		expect(movedFile.nodeId).toBe(file.nodeId);
		expect(oldParent.nodeId).toBe(watcher.root.nodeId);
		expect(movedFile.parent?.nodeId).toBe(folder.nodeId);

		const deleted = waitForEvent<[MutableFile]>(watcher, 'delete');
		await file.delete(true);
		expect((await deleted)[0].nodeId).toBe(file.nodeId);
	});

	it('emits events for changes made through the control endpoint', async () => {
		const added = waitForEvent<[MutableFile]>(watcher, 'add');
		const res = await fetch(`${sandbox.controlUrl}/client`, {
			method: 'POST',
			body: JSON.stringify({ email: 'events@interop.local', op: 'upload', name: 'via control.txt', dataBase64: Buffer.from('control').toString('base64') }),
		});
		const { handle } = (await res.json()) as { handle: string };
		const [seen] = await added;
		expect(seen.nodeId).toBe(handle);
		expect(seen.name).toBe('via control.txt');
		expect((await seen.downloadBuffer({})).toString()).toBe('control');

		const updated = waitForEvent<[MutableFile]>(watcher, 'update');
		await fetch(`${sandbox.controlUrl}/client`, { method: 'POST', body: JSON.stringify({ email: 'events@interop.local', op: 'rename', handle, name: 'renamed via control.txt' }) });
		expect((await updated)[0].name).toBe('renamed via control.txt');

		const deleted = waitForEvent<[MutableFile]>(watcher, 'delete');
		await fetch(`${sandbox.controlUrl}/client`, { method: 'POST', body: JSON.stringify({ email: 'events@interop.local', op: 'remove', handle }) });
		expect((await deleted)[0].nodeId).toBe(handle);
	});
});
