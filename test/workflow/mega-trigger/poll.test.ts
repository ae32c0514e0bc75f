/**
 * MEGA Trigger polls on a real n8n PollContext (harness) against the MEGA sandbox. Changes are made by a second client:
 * megajs (an implementation we did not write) or the sandbox's "another client"; own changes go through the
 * trigger's own cached client, as a MEGA Cloud node in the same n8n would make them.
 */
import { PollContext } from 'n8n-core';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, Workflow } from 'n8n-workflow';
import type { Storage } from 'megajs';

import { MegaApi } from '../../../credentials/MegaApi.credentials';
import { getMegaClient } from '../../../nodes/shared/mega-client';
import { MegaTrigger } from '../../../nodes/MegaTrigger/MegaTrigger.node';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { closeAll, completed, openStorage } from '../../interop/megajs/helpers';
import { removeHarnessUserFolder } from '../harness';
import { createAdditionalData } from '../harness/additional-data';
import { TestCredentialsHelper } from '../harness/credentials-helper';
import { TestNodeTypes } from '../harness/node-types';
import { byId, byPath, newAccount, simulateRestart, summary, triggerPoller, type TriggerAccount } from './support';

const ALL_EVENTS = ['fileAdded', 'folderAdded', 'fileUpdated', 'renamed', 'moved', 'deleted', 'linkCreated', 'linkRemoved'];

let sandbox: MegaSandbox;

beforeAll(async () => {
	sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 1_000 });
});
afterAll(async () => {
	await closeAll();
	await sandbox.close();
	removeHarnessUserFolder();
});
afterEach(() => {
	sandbox.faults.clear();
	simulateRestart();
});

function requestsSinceReset(): number {
	const { endpoints } = sandbox.counters();
	return endpoints.cs + endpoints.sc + endpoints.wait + endpoints.upload + endpoints.download;
}

async function watched(who: TriggerAccount, name = 'Watched'): Promise<string> {
	return await sandbox.client(who.email).mkdir(name);
}

describe('first activation and idle polls', () => {
	it('records the position without replaying history, then an idle poll costs one sc request and changes no static data', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		await other.upload('history.txt', Buffer.from('old'));
		const poller = triggerPoller(who, { events: ALL_EVENTS });
		const first = await poller.poll();
		expect(first.emitted).toBe(false);
		expect(Object.keys(first.nodeStaticData).sort()).toEqual(['sn', 'ts']);
		expect(typeof first.nodeStaticData.sn).toBe('string');
		expect(first.nodeStaticData.ts).toEqual(expect.any(Number));
		expect(JSON.stringify(first.staticData)).not.toMatch(/pw-|password/);

		sandbox.resetCounters();
		const idle = await poller.poll();
		expect(idle.emitted).toBe(false);
		expect(idle.staticDataChanged).toBe(false);
		expect(sandbox.counters().endpoints.sc).toBe(1);
		expect(requestsSinceReset()).toBe(1);
	});
});

describe('each event type, made by megajs', () => {
	let actor: Storage;
	let who: TriggerAccount;

	beforeAll(async () => {
		who = await newAccount(sandbox, 'megajs');
		({ storage: actor } = await openStorage(sandbox.gateway, who.email, String(who.credential.password), { keepalive: false }));
	});

	it('fires File Added, Folder Added, File Updated, Renamed, Moved, Deleted and Link Created / Removed with the item fields', async () => {
		const folder = await actor.mkdir('Inbox');
		const poller = triggerPoller(who, { events: ALL_EVENTS, folder: byPath('/Inbox') });
		await poller.poll();

		const sub = await folder.mkdir('Sub');
		const file = await completed(folder.upload({ name: 'report.pdf', size: 5 }, Buffer.from('hello')));
		let result = await poller.poll();
		expect(summary(result)).toEqual(['folderAdded:Sub', 'fileAdded:report.pdf']);
		expect(result.items[1].json).toMatchObject({
			event: 'fileAdded',
			handle: file.nodeId,
			name: 'report.pdf',
			path: '/Inbox/report.pdf',
			type: 'file',
			size: 5,
			parentHandle: folder.nodeId,
			link: null,
		});
		expect(result.items[1].json.modifiedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

		await file.rename('final.pdf');
		await file.moveTo(sub);
		const url = await file.link({ noKey: false });
		result = await poller.poll();
		expect(summary(result)).toEqual(['renamed:final.pdf', 'moved:final.pdf', 'linkCreated:final.pdf']);
		expect(result.items[0].json).toMatchObject({ oldName: 'report.pdf', newName: 'final.pdf', oldPath: '/Inbox/report.pdf', newPath: '/Inbox/final.pdf' });
		expect(result.items[1].json).toMatchObject({ oldPath: '/Inbox/final.pdf', newPath: '/Inbox/Sub/final.pdf', oldParentHandle: folder.nodeId, parentHandle: sub.nodeId });
		// the link in the item is the same file link megajs made (handle and key)
		expect(result.items[2].json.link).toBe(url);

		await file.unshare();
		const replacement = await sandbox.client(who.email).upload('final.pdf', Buffer.from('version 2'), sub.nodeId, { replaces: file.nodeId });
		result = await poller.poll();
		expect(summary(result)).toEqual(['linkRemoved:final.pdf', 'fileUpdated:final.pdf']);
		expect(result.items[1].json).toMatchObject({ handle: replacement, path: '/Inbox/Sub/final.pdf', size: 9 });

		const other = await completed(folder.upload({ name: 'other.txt', size: 1 }, Buffer.from('o')));
		await poller.poll();
		await other.delete(false); // to the Rubbish Bin
		await sub.delete(true); // removed for good
		result = await poller.poll();
		expect(summary(result)).toEqual(['deleted:other.txt', 'deleted:Sub']);
		expect(result.items[0].json).toMatchObject({ inRubbishBin: true, reason: 'movedToRubbishBin', path: '/Inbox/other.txt', newPath: '//bin/other.txt', type: 'file' });
		expect(result.items[1].json).toMatchObject({ inRubbishBin: false, reason: 'removed', path: '/Inbox/Sub', type: 'folder' });

		await other.moveTo(folder); // restored
		result = await poller.poll();
		expect(result.items.map((item) => item.json)).toEqual([expect.objectContaining({ event: 'fileAdded', name: 'other.txt', reason: 'restoredFromRubbishBin' })]);
		expect((await poller.poll()).emitted).toBe(false);
	});
});

describe('scope', () => {
	it('follows include-subfolders, the name and extension filters, and counts moves across the boundary', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const inbox = await watched(who, 'Inbox');
		const deep = await other.mkdir('Deep', inbox);
		const outside = await other.mkdir('Outside');
		const twin = await other.mkdir('Inbox'); // same name, another folder: not watched
		const withSubfolders = triggerPoller(who, { events: ALL_EVENTS, folder: byId(inbox) });
		const topOnly = triggerPoller(who, { events: ['fileAdded', 'deleted'], folder: byId(inbox), includeSubfolders: false });
		const pdfOnly = triggerPoller(who, { events: ['fileAdded'], folder: byId(inbox), options: { fileExtensions: 'pdf', nameFilter: 'inv*' } });
		for (const poller of [withSubfolders, topOnly, pdfOnly]) await poller.poll();

		await other.upload('top.txt', Buffer.from('1'), inbox);
		const deepFile = await other.upload('invoice.pdf', Buffer.from('2'), deep);
		await other.upload('elsewhere.txt', Buffer.from('3'), outside);
		await other.upload('twin.txt', Buffer.from('4'), twin);
		const incoming = await other.upload('incoming.pdf', Buffer.from('5'), outside);
		await other.move(incoming, deep); // into scope
		await other.move(deepFile, outside); // out of scope
		await other.move(deep, outside); // a folder out of scope (with what is left in it)

		expect((await withSubfolders.poll()).items.map((item) => [item.json.event, item.json.name, item.json.reason ?? ''])).toEqual([
			['fileAdded', 'top.txt', ''],
			['fileAdded', 'invoice.pdf', ''],
			['fileAdded', 'incoming.pdf', 'movedIntoScope'],
			['deleted', 'invoice.pdf', 'movedOutOfScope'],
			['deleted', 'Deep', 'movedOutOfScope'],
		]);
		expect(summary(await topOnly.poll())).toEqual(['fileAdded:top.txt', 'deleted:Deep']);
		expect(summary(await pdfOnly.poll())).toEqual(['fileAdded:invoice.pdf']);
	});

	it('watches the whole Cloud Drive when no folder is chosen, and keeps following a watched folder that is renamed', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const folder = await watched(who, 'Projects');
		const everywhere = triggerPoller(who, { events: ['fileAdded'] });
		const projects = triggerPoller(who, { events: ['fileAdded'], folder: byPath('/Projects') });
		await everywhere.poll();
		await projects.poll();
		await other.upload('root.txt', Buffer.from('r'));
		await other.upload('a.txt', Buffer.from('a'), folder);
		expect(summary(await everywhere.poll())).toEqual(['fileAdded:root.txt', 'fileAdded:a.txt']);
		expect(summary(await projects.poll())).toEqual(['fileAdded:a.txt']);
		await other.rename(folder, 'Projects 2026');
		await other.upload('b.txt', Buffer.from('b'), folder);
		const after = await projects.poll();
		expect(summary(after)).toEqual(['fileAdded:b.txt']);
		expect(after.items[0].json.path).toBe('/Projects 2026/b.txt');
	});
});

describe('loop guard', () => {
	it("ignores this n8n's own upload into the watched folder, fires for another client's, and fires for both when switched off", async () => {
		const who = await newAccount(sandbox);
		const folder = await watched(who);
		const guarded = triggerPoller(who, { events: ['fileAdded'], folder: byId(folder) });
		const unguarded = triggerPoller(who, { events: ['fileAdded'], folder: byId(folder), options: { ignoreOwnChanges: false } });
		await guarded.poll();
		await unguarded.poll();
		// The same credential in the same process: what a MEGA Cloud node of this n8n would use.
		const own = await getMegaClient({ getCredentials: async () => who.credential });
		await own.upload({ name: 'written-by-workflow.txt', source: Buffer.from('own'), parent: folder });
		await sandbox.client(who.email).upload('from-elsewhere.txt', Buffer.from('theirs'), folder);
		expect(summary(await guarded.poll())).toEqual(['fileAdded:from-elsewhere.txt']);
		expect(summary(await unguarded.poll())).toEqual(['fileAdded:written-by-workflow.txt', 'fileAdded:from-elsewhere.txt']);
	});
});

describe('manual "Fetch Test Event"', () => {
	it('returns the most recent matching change, else the newest matching file, never moving the cursor, and says when nothing matches', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const folder = await watched(who);
		const poller = triggerPoller(who, { events: ['fileAdded'], folder: byId(folder), options: { fileExtensions: 'csv' } });

		await expect(poller.poll({ mode: 'manual' })).rejects.toThrow('No matching change or file found in "/Watched"');
		await other.upload('older.csv', Buffer.from('1'), folder, { mtime: 1_600_000_000 });
		await other.upload('newest.csv', Buffer.from('2'), folder, { mtime: 1_700_000_000 });
		await other.upload('ignored.txt', Buffer.from('3'), folder, { mtime: 1_800_000_000 });
		const sample = await poller.poll({ mode: 'manual' });
		expect(summary(sample)).toEqual(['fileAdded:newest.csv']);
		expect(sample.nodeStaticData).toEqual({});

		const activated = await poller.poll();
		expect(activated.emitted).toBe(false);
		const cursor = { ...activated.nodeStaticData };
		await other.upload('first.csv', Buffer.from('a'), folder);
		await other.upload('second.csv', Buffer.from('b'), folder);
		const latest = await poller.poll({ mode: 'manual' });
		expect(summary(latest)).toEqual(['fileAdded:second.csv']);
		expect(latest.nodeStaticData).toEqual(cursor);
		// the real poll still gets both changes
		expect(summary(await poller.poll())).toEqual(['fileAdded:first.csv', 'fileAdded:second.csv']);
	});
});

describe('no loss, no repeats', () => {
	it('a restarted n8n resumes from the stored cursor (one f to rebuild the tree) and emits what happened meanwhile, once', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const folder = await watched(who);
		const poller = triggerPoller(who, { events: ALL_EVENTS, folder: byId(folder) });
		await poller.poll();
		const before = await other.upload('before.txt', Buffer.from('1'), folder);
		expect(summary(await poller.poll())).toEqual(['fileAdded:before.txt']);
		const sub = await other.mkdir('Sub', folder);
		expect(summary(await poller.poll())).toEqual(['folderAdded:Sub']);
		simulateRestart();
		const whileDown = await other.upload('while-down.txt', Buffer.from('2'), folder);
		await other.rename(whileDown, 'while-down-2.txt');
		await other.rename(before, 'renamed-while-down.txt');
		await other.move(before, sub);
		sandbox.resetCounters();
		const resumed = await poller.poll();
		expect(summary(resumed)).toEqual(['fileAdded:while-down.txt', 'renamed:while-down-2.txt', 'renamed:renamed-while-down.txt', 'moved:renamed-while-down.txt']);
		// a node the stretch of feed showed before keeps its old name ...
		expect(resumed.items[1].json).toMatchObject({ oldName: 'while-down.txt', oldPath: '/Watched/while-down.txt' });
		// ... but the rebuilt tree is newer than a change to an older node: its old state is not known, and the item says so
		expect(resumed.items[2].json).toMatchObject({ oldName: null, oldPath: null, newName: 'renamed-while-down.txt' });
		expect(resumed.items[3].json).toMatchObject({ oldPath: null, newPath: '/Watched/Sub/renamed-while-down.txt' });
		expect(sandbox.counters().commands.f).toBe(1);
		expect((await poller.poll()).emitted).toBe(false);
	});

	it('a poll that fails (feed error) keeps the cursor; the next one emits the changes exactly once', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const folder = await watched(who);
		const poller = triggerPoller(who, { events: ['fileAdded'], folder: byId(folder) });
		await poller.poll();
		const cursor = { ...(poller.staticData['node:MEGA Trigger'] as IDataObject) };
		await other.upload('one.txt', Buffer.from('1'), folder);
		sandbox.faults.add({ kind: 'error', code: -11, endpoint: 'sc', count: 1 });
		await expect(poller.poll()).rejects.toThrow();
		expect(poller.staticData['node:MEGA Trigger']).toEqual(cursor);
		await other.upload('two.txt', Buffer.from('2'), folder);
		expect(summary(await poller.poll())).toEqual(['fileAdded:one.txt', 'fileAdded:two.txt']);
		expect((await poller.poll()).emitted).toBe(false);
	});

	it('a poll that fails mid-way (the content download hits the transfer quota) keeps the cursor; the retry emits once, with content', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const folder = await watched(who);
		const poller = triggerPoller(who, { events: ['fileAdded'], folder: byId(folder), options: { includeContent: true } });
		await poller.poll();
		await other.upload('a.txt', Buffer.from('alpha'), folder);
		await other.upload('b.txt', Buffer.from('bravo'), folder);
		sandbox.faults.add({ kind: 'quota509', timeLeft: 30, endpoint: 'download', count: 1 });
		const failed = poller.poll();
		await expect(failed).rejects.toThrow();
		await failed.catch((error: { context?: unknown; description?: string }) => expect(JSON.stringify(error)).not.toMatch(/pw-/));
		const retried = await poller.poll();
		expect(summary(retried)).toEqual(['fileAdded:a.txt', 'fileAdded:b.txt']);
		expect(retried.items.map((item) => item.binary?.data?.fileName)).toEqual(['a.txt', 'b.txt']);
		expect((await poller.poll()).emitted).toBe(false);
	});

	it('overlapping polls of one trigger never emit a change twice', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const folder = await watched(who);
		const nodeType = new MegaTrigger();
		const node = {
			id: 'overlap-node',
			name: 'MEGA Trigger',
			type: 'n8n-nodes-mega.megaTrigger',
			typeVersion: 1,
			position: [0, 0] as [number, number],
			parameters: { events: ['fileAdded'], folder: byId(folder) },
			credentials: { megaApi: { id: 'cred', name: 'megaApi' } },
		};
		const workflow = new Workflow({
			id: 'overlapWorkflow',
			nodes: [node],
			connections: {},
			nodeTypes: new TestNodeTypes({ [node.type]: nodeType }),
			active: true,
			settings: {},
		});
		const additionalData = createAdditionalData({ credentialsHelper: new TestCredentialsHelper({ megaApi: who.credential }, [new MegaApi()]), workflowId: workflow.id });
		const poll = async () => await nodeType.poll!.call(new PollContext(workflow, workflow.getNode(node.name)!, additionalData, 'trigger', 'activate'));
		expect(await poll()).toBeNull();
		for (let i = 0; i < 5; i++) await other.upload(`f${i}.txt`, Buffer.from(String(i)), folder);
		const results = await Promise.all([poll(), poll(), poll()]);
		const names = results.flatMap((result) => (result?.[0] ?? []).map((item: INodeExecutionData) => String(item.json.name)));
		expect(names).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt']);
	});

	it('500 changes between two polls come out as 500 items, in order', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const folder = await watched(who);
		const poller = triggerPoller(who, { events: ['folderAdded', 'renamed'], folder: byId(folder) });
		await poller.poll();
		const handles: string[] = [];
		for (let i = 0; i < 250; i++) handles.push(await other.mkdir(`folder-${i}`, folder));
		for (let i = 0; i < 250; i++) await other.rename(handles[i], `renamed-${i}`);
		const result = await poller.poll();
		expect(result.items).toHaveLength(500);
		expect(result.items.slice(0, 250).map((item) => item.json.handle)).toEqual(handles);
		expect(result.items.slice(250).map((item) => [item.json.event, item.json.handle, item.json.newName])).toEqual(handles.map((h, i) => ['renamed', h, `renamed-${i}`]));
		expect((await poller.poll()).emitted).toBe(false);
	});
});

describe('MEGA -6 (the cursor is older than the change log): the fallback', () => {
	it('in the same process: additions newer than ts and deletions by comparing with the tree held before, each marked', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const folder = await watched(who);
		const doomed = await other.upload('doomed.txt', Buffer.from('x'), folder);
		const trashed = await other.upload('trashed.txt', Buffer.from('y'), folder);
		const poller = triggerPoller(who, { events: ALL_EVENTS, folder: byId(folder) });
		await poller.poll();
		await other.upload('fresh.txt', Buffer.from('z'), folder);
		await other.remove(doomed);
		await other.move(trashed, who.account.rubbishHandle);
		sandbox.trimScLog(who.email, 0);
		const result = await poller.poll();
		expect(result.items.map((item) => [item.json.event, item.json.name, item.json.reason ?? '', item.json.fromFallback])).toEqual([
			['deleted', 'doomed.txt', 'removed', true],
			['deleted', 'trashed.txt', 'movedToRubbishBin', true],
			['fileAdded', 'fresh.txt', '', true],
		]);
		// back on the feed: nothing repeats, new changes come normally
		await other.upload('after.txt', Buffer.from('a'), folder);
		const next = await poller.poll();
		expect(next.items.map((item) => [item.json.name, item.json.fromFallback ?? false])).toEqual([['after.txt', false]]);
	});

	it('when the process had read further than the trigger before reloading: the changes it saw are exact, the rest from the fallback', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const folder = await watched(who);
		const doomed = await other.upload('doomed.txt', Buffer.from('x'), folder);
		const poller = triggerPoller(who, { events: ALL_EVENTS, folder: byId(folder) });
		await poller.poll();
		await other.upload('seen-by-process.txt', Buffer.from('s'), folder);
		// another node of this n8n reads the account: the shared live tree moves past the trigger's position
		await (await getMegaClient({ getCredentials: async () => who.credential })).tree();
		await other.remove(doomed);
		await other.upload('after-reload.txt', Buffer.from('a'), folder);
		sandbox.trimScLog(who.email, 0);
		const result = await poller.poll();
		expect(result.items.map((item) => [item.json.event, item.json.name, item.json.fromFallback ?? false])).toEqual([
			['fileAdded', 'seen-by-process.txt', false],
			['deleted', 'doomed.txt', true],
			['fileAdded', 'after-reload.txt', true],
		]);
		expect((await poller.poll()).emitted).toBe(false);
	});

	it('after a restart (no tree held): additions newer than ts only', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const folder = await watched(who);
		const old = await other.upload('old.txt', Buffer.from('x'), folder);
		const poller = triggerPoller(who, { events: ALL_EVENTS, folder: byId(folder) });
		await poller.poll();
		// creation times are whole seconds: make the new file's second later than anything the cursor saw
		await new Promise((resolve) => setTimeout(resolve, 1_100));
		await other.upload('new.txt', Buffer.from('z'), folder);
		await other.remove(old);
		sandbox.trimScLog(who.email, 0);
		simulateRestart();
		const result = await poller.poll();
		expect(result.items.map((item) => [item.json.event, item.json.name, item.json.fromFallback])).toEqual([['fileAdded', 'new.txt', true]]);
	});
});

describe('file content', () => {
	it('streams the file as binary, and without the time for it says why instead', async () => {
		const who = await newAccount(sandbox);
		const other = sandbox.client(who.email);
		const folder = await watched(who);
		const poller = triggerPoller(who, { events: ['fileAdded', 'deleted'], folder: byId(folder), options: { includeContent: true } });
		await poller.poll();
		const body = Buffer.alloc(300_000, 7);
		await other.upload('data.bin', body, folder);
		const withContent = await poller.poll();
		const binary = withContent.items[0].binary?.data;
		expect(binary).toMatchObject({ fileName: 'data.bin' });
		expect(binary?.id).toMatch(/^filesystem-v2:/);
		expect(withContent.items[0].json.contentSkipped).toBeUndefined();

		await other.upload('big.bin', Buffer.alloc(2_000_000, 1), folder);
		const tight = await poller.poll({ pollBudgetMs: 1 });
		expect(tight.items[0].binary).toBeUndefined();
		expect(tight.items[0].json.contentSkipped).toMatch(/more than this poll has left/);
	});
});

describe('errors', () => {
	it('a wrong password fails the poll as a credential problem (n8n backs off), without the password in the error', async () => {
		const who = await newAccount(sandbox);
		const poller = triggerPoller({ ...who, credential: { ...who.credential, password: 'pw-wrong-trigger' } }, { events: ['fileAdded'] });
		const error = (await poller.poll().then(
			() => undefined,
			(failure: unknown) => failure,
		)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.failure).toMatchObject({ cause: 'credential-invalid' });
		expect(JSON.stringify({ message: error.message, description: error.description, context: error.context })).not.toMatch(/pw-/);
		expect(poller.staticData).toEqual({});
	});
});
