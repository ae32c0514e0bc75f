/**
 * Every write the core sends is applied exactly once and reported truthfully when its reply is lost and the session
 * ends before the resend (the sandbox's `drop` + `endSession` fault: applied, reply cut, the resend gets -15). After the
 * re-login the core reads the change feed for the request's `i` echo instead of resending blindly under the new session.
 */
import { MegaClient, forgetLiveTrees } from '../../../core/mega/client';
import { MegaError } from '../../../core/mega/errors';
import { clearSessionCache } from '../../../core/mega/session';
import type { MegaSandbox } from '../../../sandbox/mega';
import type { FaultSpec, SandboxListEntry } from '../../../sandbox/mega/types';
import { fastRetry, useMegaSandbox } from '../../support/mega-sandbox';

let sandbox: MegaSandbox;
let accountCounter = 0;

useMegaSandbox((started) => {
	sandbox = started;
});

interface Account {
	client: MegaClient;
	email: string;
	password: string;
}

async function freshAccount(): Promise<Account> {
	accountCounter += 1;
	const email = `once${accountCounter}@exactly.test`;
	const password = `pw-once-${accountCounter}`;
	await sandbox.createAccount({ email, password, version: 2 });
	clearSessionCache();
	forgetLiveTrees();
	const client = await MegaClient.connect({ kind: 'password', email, password }, { gateway: sandbox.gateway, retry: fastRetry });
	await client.tree();
	return { client, email, password };
}

/** A client that never saw the faults: what MEGA really holds. */
async function freshView(account: Account): Promise<MegaClient> {
	return MegaClient.connect({ kind: 'password', email: account.email, password: account.password }, { gateway: sandbox.gateway, retry: fastRetry, fresh: true });
}

function applied(command: string): number {
	return sandbox.counters().applied[command] ?? 0;
}

/**
 * Runs `work` with the fault pair "the reply to the request carrying `command` is lost after it was applied, then the
 * session ends", and returns the work's result and how many times each watched command was applied meanwhile.
 */
async function withLostReplyThenEsid<T>(account: Account, command: string, watched: string[], work: () => Promise<T>, fault?: FaultSpec[]): Promise<{ result: T; appliedCounts: Record<string, number> }> {
	const before = Object.fromEntries(watched.map((name) => [name, applied(name)]));
	const sidBefore = account.client.api.sid;
	for (const spec of fault ?? [{ kind: 'drop', endSession: true, endpoint: 'cs', command, email: account.email, count: 1 } as FaultSpec]) sandbox.faults.add(spec);
	const result = await work();
	// The fault fired and the client logged in again.
	expect(sandbox.faults.list()).toEqual([]);
	expect(account.client.api.sid).not.toBe(sidBefore);
	const appliedCounts = Object.fromEntries(watched.map((name) => [name, applied(name) - before[name]]));
	return { result, appliedCounts };
}

async function listing(account: Account): Promise<SandboxListEntry[]> {
	return sandbox.client(account.email).list();
}

describe('a write whose reply was lost, then the session ended, is applied once and reported truthfully', () => {
	it('p (new folder): one folder, and the handle of that folder', async () => {
		const account = await freshAccount();
		const { result, appliedCounts } = await withLostReplyThenEsid(account, 'p', ['p'], () => account.client.mkdir('/Reports'));
		expect(appliedCounts).toEqual({ p: 1 });
		const folders = (await listing(account)).filter((node) => node.name === 'Reports');
		expect(folders).toHaveLength(1);
		expect(result).toMatchObject({ handle: folders[0].handle, path: '/Reports', type: 'folder' });
	});

	it('p (mkdir -p of three levels in one request): one of each, the deepest returned', async () => {
		const account = await freshAccount();
		const { result, appliedCounts } = await withLostReplyThenEsid(account, 'p', ['p'], () => account.client.mkdir('/A/B/C'));
		expect(appliedCounts).toEqual({ p: 1 });
		const nodes = await listing(account);
		for (const name of ['A', 'B', 'C']) expect(nodes.filter((node) => node.name === name)).toHaveLength(1);
		expect(result.path).toBe('/A/B/C');
		expect(result.handle).toBe(nodes.find((node) => node.name === 'C')?.handle);
	});

	it('p (upload completion): one file with the right bytes, reported as uploaded', async () => {
		const account = await freshAccount();
		const data = Buffer.from('quarterly figures '.repeat(1000));
		const { result, appliedCounts } = await withLostReplyThenEsid(account, 'p', ['p'], () => account.client.upload({ name: 'q4.pdf', source: data }));
		expect(appliedCounts).toEqual({ p: 1 });
		const files = (await listing(account)).filter((node) => node.name === 'q4.pdf');
		expect(files).toHaveLength(1);
		expect(result.handle).toBe(files[0].handle);
		expect(result.file).toMatchObject({ name: 'q4.pdf', size: data.length });
		expect((await sandbox.client(account.email).download(result.handle)).equals(data)).toBe(true);
	});

	it('p (server-side copy): one copy', async () => {
		const account = await freshAccount();
		const source = await account.client.upload({ name: 'src.txt', source: Buffer.from('copy me') });
		const target = await account.client.mkdir('/Copies');
		const { result, appliedCounts } = await withLostReplyThenEsid(account, 'p', ['p'], () => account.client.copy(source.handle, target.handle));
		expect(appliedCounts).toEqual({ p: 1 });
		const copies = (await listing(account)).filter((node) => node.name === 'src.txt' && node.parent === target.handle);
		expect(copies).toHaveLength(1);
		expect(result).toMatchObject({ handle: copies[0].handle, path: '/Copies/src.txt' });
	});

	it('a (rename): renamed once, the new name returned', async () => {
		const account = await freshAccount();
		const file = await account.client.upload({ name: 'draft.txt', source: Buffer.from('x') });
		const { result, appliedCounts } = await withLostReplyThenEsid(account, 'a', ['a'], () => account.client.rename(file.handle, 'final.txt'));
		expect(appliedCounts).toEqual({ a: 1 });
		expect(result).toMatchObject({ handle: file.handle, name: 'final.txt' });
		expect((await (await freshView(account)).info(file.handle)).name).toBe('final.txt');
	});

	it('m (move): moved once', async () => {
		const account = await freshAccount();
		const file = await account.client.upload({ name: 'm.txt', source: Buffer.from('x') });
		const target = await account.client.mkdir('/Archive');
		const { result, appliedCounts } = await withLostReplyThenEsid(account, 'm', ['m'], () => account.client.move(file.handle, target.handle));
		expect(appliedCounts).toEqual({ m: 1 });
		expect(result.path).toBe('/Archive/m.txt');
		expect((await (await freshView(account)).info(file.handle)).path).toBe('/Archive/m.txt');
	});

	it('d (delete): done, and reported as done', async () => {
		const account = await freshAccount();
		const file = await account.client.upload({ name: 'gone.txt', source: Buffer.from('x') });
		const { appliedCounts } = await withLostReplyThenEsid(account, 'd', ['d'], () => account.client.delete(file.handle));
		expect(appliedCounts).toEqual({ d: 1 });
		expect((await listing(account)).some((node) => node.handle === file.handle)).toBe(false);
	});

	it('l (file link, then its removal): the link MEGA holds is the one returned', async () => {
		const account = await freshAccount();
		const file = await account.client.upload({ name: 'shared.txt', source: Buffer.from('x') });
		const { result, appliedCounts } = await withLostReplyThenEsid(account, 'l', ['l'], () => account.client.createLink(file.handle));
		expect(appliedCounts).toEqual({ l: 1 });
		const view = await freshView(account);
		const held = (await view.tree()).publicHandles.get(file.handle);
		expect(held).toBeDefined();
		expect(result.url).toContain(`/file/${held}#`);
		const removal = await withLostReplyThenEsid(account, 'l', ['l'], () => account.client.removeLink(file.handle));
		expect(removal.appliedCounts).toEqual({ l: 1 });
		expect((await (await freshView(account)).tree()).publicHandles.has(file.handle)).toBe(false);
	});

	it('s2 + l (folder link batch, then its removal): one export, the link MEGA holds', async () => {
		const account = await freshAccount();
		const folder = await account.client.mkdir('/Public');
		const { result, appliedCounts } = await withLostReplyThenEsid(account, 's2', ['s2', 'l'], () => account.client.createLink(folder.handle));
		expect(appliedCounts).toEqual({ s2: 1, l: 1 });
		const held = (await (await freshView(account)).tree()).publicHandles.get(folder.handle);
		expect(result.url).toContain(`/folder/${held}#`);
		const removal = await withLostReplyThenEsid(account, 's2', ['s2'], () => account.client.removeLink(folder.handle));
		expect(removal.appliedCounts).toEqual({ s2: 1 });
		const after = await (await freshView(account)).tree();
		expect(after.publicHandles.has(folder.handle)).toBe(false);
		expect(after.exportedFolders.has(folder.handle)).toBe(false);
	});

	it('a + m (trash batch), then a + m (restore batch): each applied once, restored to where it was', async () => {
		const account = await freshAccount();
		const folder = await account.client.mkdir('/Work');
		const file = await account.client.upload({ parent: folder.handle, name: 't.txt', source: Buffer.from('x') });
		const trashed = await withLostReplyThenEsid(account, 'm', ['a', 'm'], () => account.client.trash(file.handle));
		expect(trashed.appliedCounts).toEqual({ a: 1, m: 1 });
		expect(trashed.result.inRubbishBin).toBe(true);
		expect((await (await freshView(account)).info(file.handle)).inRubbishBin).toBe(true);
		const restored = await withLostReplyThenEsid(account, 'm', ['a', 'm'], () => account.client.restore(file.handle));
		expect(restored.appliedCounts).toEqual({ a: 1, m: 1 });
		expect(restored.result.path).toBe('/Work/t.txt');
		expect((await (await freshView(account)).info(file.handle)).path).toBe('/Work/t.txt');
	});

	it('dr (empty the rubbish bin): done once, reported as done', async () => {
		const account = await freshAccount();
		const file = await account.client.upload({ name: 'junk.txt', source: Buffer.from('x') });
		await account.client.trash(file.handle);
		const { appliedCounts } = await withLostReplyThenEsid(account, 'dr', ['dr'], () => account.client.emptyRubbishBin());
		expect(appliedCounts).toEqual({ dr: 1 });
		expect((await listing(account)).some((node) => node.handle === file.handle)).toBe(false);
	});

	it('a write that was NOT applied (HTTP 500, then ESID) is sent once more after the re-login, and applied once', async () => {
		const account = await freshAccount();
		const file = await account.client.upload({ name: 'before.txt', source: Buffer.from('x') });
		const faults: FaultSpec[] = [
			{ kind: 'http', status: 500, endpoint: 'cs', command: 'a', email: account.email, count: 1 },
			{ kind: 'error', code: -15, endpoint: 'cs', command: 'a', email: account.email, count: 1 },
		];
		const { result, appliedCounts } = await withLostReplyThenEsid(account, 'a', ['a'], () => account.client.rename(file.handle, 'after.txt'), faults);
		expect(appliedCounts).toEqual({ a: 1 });
		expect(result.name).toBe('after.txt');
		expect((await (await freshView(account)).info(file.handle)).name).toBe('after.txt');
	});

	it('without a way to log in again (a session string), the error says the change may already have been made', async () => {
		const account = await freshAccount();
		const file = await account.client.upload({ name: 'session.txt', source: Buffer.from('x') });
		const exported = account.client.exportSession();
		clearSessionCache();
		forgetLiveTrees();
		const resumed = await MegaClient.fromSession(exported, { gateway: sandbox.gateway, retry: fastRetry });
		await resumed.tree();
		const before = applied('a');
		sandbox.faults.add({ kind: 'drop', endSession: true, endpoint: 'cs', command: 'a', email: account.email, count: 1 });
		const error = (await resumed.rename(file.handle, 'renamed.txt').catch((e: unknown) => e)) as MegaError;
		expect(error).toBeInstanceOf(MegaError);
		expect(error.code).toBe('ESID');
		expect(error.maybeApplied).toBe(true);
		expect(error.hint).toMatch(/may already have been made/);
		// It was applied, once: the error did not claim otherwise.
		expect(applied('a') - before).toBe(1);
	});

	it('the same fault pair on a read just resends it under the new session', async () => {
		const account = await freshAccount();
		sandbox.faults.add({ kind: 'drop', endSession: true, endpoint: 'cs', command: 'uq', email: account.email, count: 1 });
		const sidBefore = account.client.api.sid;
		const quota = await account.client.quota();
		expect(quota.storageMax).toBeGreaterThan(0);
		expect(account.client.api.sid).not.toBe(sidBefore);
		expect(sandbox.faults.list()).toEqual([]);
	});
});

describe('a per-command EAGAIN inside a batch retries only that command', () => {
	for (const busy of ['a', 'm'] as const) {
		it(`trash and restore with -3 on the ${busy === 'a' ? 'first' : 'second'} command (${busy}) of the batch`, async () => {
			const account = await freshAccount();
			const folder = await account.client.mkdir('/Busy');
			const file = await account.client.upload({ parent: folder.handle, name: 'b.txt', source: Buffer.from('x') });
			const before = { a: applied('a'), m: applied('m') };
			sandbox.faults.add({ kind: 'error', code: -3, scope: 'command', endpoint: 'cs', command: busy, email: account.email, count: 1 });
			const trashed = await account.client.trash(file.handle);
			expect(sandbox.faults.list()).toEqual([]);
			expect(trashed.inRubbishBin).toBe(true);
			expect({ a: applied('a') - before.a, m: applied('m') - before.m }).toEqual({ a: 1, m: 1 });

			sandbox.faults.add({ kind: 'error', code: -3, scope: 'command', endpoint: 'cs', command: busy, email: account.email, count: 1 });
			const restored = await account.client.restore(file.handle);
			expect(sandbox.faults.list()).toEqual([]);
			// The restore found the original folder: the `rr` the trash batch wrote (also when `a` was the retried one).
			expect(restored.path).toBe('/Busy/b.txt');
			expect({ a: applied('a') - before.a, m: applied('m') - before.m }).toEqual({ a: 2, m: 2 });
			const view = await freshView(account);
			expect((await view.info(file.handle)).path).toBe('/Busy/b.txt');
		});
	}
});
