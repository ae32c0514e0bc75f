/**
 * The core against the sandbox where the sandbox answers as the real MEGA does and our first guesses did not
 * (issue 13): idle `sc` replies without `sn`, folder shares made by MEGA's apps (dummy zero `ok`/`ha`), share-key
 * clashes on `s2`, removing a folder link, versions and `vb`, and `uq` without `mxfer`.
 */
import { randomBytes } from 'node:crypto';

import type { MegaCommand } from '../../../core/mega/api/transport';
import { MegaClient, forgetLiveTrees, listPublicFolder } from '../../../core/mega/client';
import { MegaShareKeyUnknownError } from '../../../core/mega/errors';
import { clearSessionCache } from '../../../core/mega/session';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';

let sandbox: MegaSandbox;
const fast = { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 4, maxTotalMs: 5_000 };
let accountCounter = 0;

beforeAll(async () => {
	sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 1_000 });
});

afterAll(async () => {
	forgetLiveTrees();
	clearSessionCache();
	await sandbox.close();
});

async function freshClient(extra: { fileVersioning?: boolean; transferBytes?: number } = {}): Promise<{ client: MegaClient; email: string; password: string }> {
	accountCounter += 1;
	const email = `dialect${accountCounter}@client.test`;
	const password = `pw-dialect-${accountCounter}`;
	await sandbox.createAccount({ email, password, version: 2, ...extra });
	const client = await MegaClient.connect({ kind: 'password', email, password }, { gateway: sandbox.gateway, retry: fast });
	return { client, email, password };
}

/** A second, independent client of the same account (its own session and tree). */
async function secondClient(email: string, password: string): Promise<MegaClient> {
	return MegaClient.connect({ kind: 'password', email, password }, { gateway: sandbox.gateway, retry: fast, fresh: true });
}

/** Runs `before` once, just before the first request that carries a command `a`: a change made concurrently. */
function beforeFirst(client: MegaClient, a: string, before: () => Promise<void>): void {
	const api = client.api;
	let done = false;
	const run = async (commands: MegaCommand[]): Promise<void> => {
		if (!done && commands.some((command) => command.a === a)) {
			done = true;
			await before();
		}
	};
	const request = api.request.bind(api);
	const batch = api.batch.bind(api);
	api.request = (async (command: MegaCommand, options?: Parameters<typeof request>[1]) => {
		await run([command]);
		return request(command, options);
	}) as typeof api.request;
	api.batch = (async (commands: MegaCommand[], options?: Parameters<typeof batch>[1]) => {
		await run(commands);
		return batch(commands, options);
	}) as typeof api.batch;
}

async function bytesOf(stream: AsyncIterable<unknown>): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

describe('an idle account (sc answers {w} without sn)', () => {
	it('reads, writes and lists changes with nothing new, keeping its sn', async () => {
		const { client } = await freshClient();
		const before = await client.changes();
		expect(before.sn).toMatch(/^[A-Za-z0-9_-]{11}$/);
		const again = await client.changes(before.sn);
		expect(again.events).toEqual([]);
		expect(again.sn).toBe(before.sn);
		expect(await client.list('/')).toEqual([]);
		await client.mkdir('/after-idle');
		expect((await client.list('/')).map((node) => node.name)).toEqual(['after-idle']);
	});
});

describe('folders shared by MEGA apps (dummy zero ok/ha)', () => {
	it('has no link and refuses to make one or to add cr keys with an unknown share key', async () => {
		const { client, email, password } = await freshClient();
		const folder = await client.mkdir('/AppShared');
		const early = await client.upload({ parent: folder.handle, name: 'early.txt', source: Buffer.from('made before the app shared it') });
		const { url } = await sandbox.client(email).exportFolder(folder.handle);

		// The app's own link works for the files it covered: the sandbox export is real.
		const viaApp = await listPublicFolder(url, { gateway: sandbox.gateway });
		expect(viaApp.map((node) => [node.name, node.decrypted])).toEqual([['early.txt', true]]);

		for (const view of [client, await secondClient(email, password)]) {
			expect((await view.info('/AppShared')).link).toBeNull();
			const error = await view.createLink('/AppShared').catch((e: unknown) => e);
			expect(error).toBeInstanceOf(MegaShareKeyUnknownError);
			expect(error).toMatchObject({ code: 'ESHAREKEY', handle: folder.handle });
			expect((error as Error).message).toContain('/AppShared');
			expect((error as MegaShareKeyUnknownError).hint).toMatch(/MEGA app/);
		}
		// A file added here carries no `cr` key for the share (any key we made up would be wrong).
		const late = await client.upload({ parent: folder.handle, name: 'late.txt', source: Buffer.from('added by us') });
		expect(sandbox.getNode(late.handle)?.k).not.toContain(`${folder.handle}:`);
		expect(sandbox.getNode(early.handle)?.k).toContain(`${folder.handle}:`);
	});

	it('reads the key of a share whose ha verifies (megajs-style) and shows its link', async () => {
		const { client, email, password } = await freshClient();
		const folder = await client.mkdir('/Shared-by-megajs-style');
		const { url } = await sandbox.client(email).exportFolder(folder.handle, { ownerKey: 'real' });
		expect((await client.info(folder.handle)).link).toBe(url);
		expect((await (await secondClient(email, password)).info(folder.handle)).link).toBe(url);
		expect((await client.createLink(folder.handle)).url).toBe(url);
	});
});

describe('s2 replies (a share-key clash)', () => {
	it('uses the key MEGA already holds when another client shared the folder first', async () => {
		const { client, email } = await freshClient();
		const folder = await client.mkdir('/Raced');
		await client.upload({ parent: folder.handle, name: 'inside.txt', source: Buffer.from('inside the raced folder') });
		let appUrl = '';
		beforeFirst(client, 's2', async () => {
			appUrl = (await sandbox.client(email).exportFolder(folder.handle, { ownerKey: 'real' })).url;
		});
		const { url, node } = await client.createLink('/Raced');
		expect(appUrl).not.toBe('');
		expect(url.split('#')[1]).toBe(appUrl.split('#')[1]);
		expect(node.link).toBe(url);
		const listing = await listPublicFolder(url, { gateway: sandbox.gateway });
		expect(listing.map((entry) => [entry.name, entry.decrypted])).toEqual([['inside.txt', true]]);
	});

	it('reports an unknown key (never its own unconfirmed one) when the folder was shared first by a MEGA app', async () => {
		const { client, email } = await freshClient();
		const folder = await client.mkdir('/RacedByApp');
		beforeFirst(client, 's2', async () => {
			await sandbox.client(email).exportFolder(folder.handle);
		});
		await expect(client.createLink('/RacedByApp')).rejects.toBeInstanceOf(MegaShareKeyUnknownError);
		expect((await client.info('/RacedByApp')).link).toBeNull();
		const file = await client.upload({ parent: folder.handle, name: 'after.txt', source: Buffer.from('x') });
		expect(sandbox.getNode(file.handle)?.k).not.toContain(`${folder.handle}:`);
	});
});

describe('removing a folder link', () => {
	it('sends l d:1 before s2 r:"" and leaves no stale link, here or in a fresh client', async () => {
		const { client, email, password } = await freshClient();
		const folder = await client.mkdir('/Unshare');
		const { url } = await client.createLink('/Unshare');
		const sent: string[] = [];
		const batch = client.api.batch.bind(client.api);
		const request = client.api.request.bind(client.api);
		client.api.batch = ((commands: MegaCommand[], options?: Parameters<typeof batch>[1]) => {
			sent.push(...commands.map((command) => `${command.a}${command.d === 1 ? ' d:1' : ''}`));
			return batch(commands, options);
		}) as typeof client.api.batch;
		client.api.request = ((command: MegaCommand, options?: Parameters<typeof request>[1]) => {
			sent.push(`${command.a}${command.d === 1 ? ' d:1' : ''}`);
			return request(command, options);
		}) as typeof client.api.request;
		const removed = await client.removeLink('/Unshare');
		expect(removed.link).toBeNull();
		expect(sent.filter((name) => name !== 'f')).toEqual(['l d:1', 's2']);
		expect((await (await secondClient(email, password)).info(folder.handle)).link).toBeNull();
		await expect(listPublicFolder(url, { gateway: sandbox.gateway })).rejects.toThrow();
		// And it can be linked again.
		const again = await client.createLink('/Unshare');
		expect((await client.info('/Unshare')).link).toBe(again.url);
	});

	it('drops the link when another client removes the export (no ph d:1 from MEGA)', async () => {
		const { client, email, password } = await freshClient();
		await client.mkdir('/UnsharedElsewhere');
		await client.createLink('/UnsharedElsewhere');
		const other = await secondClient(email, password);
		// The other client removes only the share, as megajs `unshareFolder` does.
		const otherTree = await other.tree();
		const handle = (await other.info('/UnsharedElsewhere')).handle;
		expect(otherTree.exportedFolders.has(handle)).toBe(true);
		await other.api.request({ a: 's2', n: handle, s: [{ u: 'EXP', r: '' }] });
		expect((await client.info('/UnsharedElsewhere')).link).toBeNull();
	});
});

describe('new versions (vb)', () => {
	it.each([
		['on', true],
		['off', false],
	])('keeps the old file as a version with account versioning %s', async (_label, fileVersioning) => {
		const { client } = await freshClient({ fileVersioning });
		const first = await client.upload({ parent: '/', name: 'report.txt', source: Buffer.from('version one') });
		const second = await client.upload({ parent: '/', name: 'report.txt', source: Buffer.from('version two'), onConflict: 'newVersion' });
		expect(second.outcome).toBe('versioned');
		expect(second.previousHandle).toBe(first.handle);
		const versions = await client.versions('/report.txt');
		expect(versions.map((version) => version.handle)).toEqual([second.handle, first.handle]);
		expect((await bytesOf(await client.download(first.handle))).toString()).toBe('version one');
		expect((await bytesOf(await client.download('/report.txt'))).toString()).toBe('version two');
	});
});

describe('quota (uq)', () => {
	it('reports an unknown transfer limit (null, not 0) for a free account and counts its uncommitted use (tua/tuo)', async () => {
		const { client } = await freshClient();
		await client.upload({ parent: '/', name: 'q.bin', source: randomBytes(5000) });
		await bytesOf(await client.download('/q.bin'));
		const quota = await client.quota();
		expect(quota.transferMax).toBeNull();
		expect(quota.transferUsed).toBe(5000);
		expect(quota.storageUsed).toBe(5000);
	});

	it('reports the fixed limit (mxfer) when the account has one', async () => {
		const { client } = await freshClient({ transferBytes: 7_000_000 });
		await client.upload({ parent: '/', name: 'q.bin', source: randomBytes(3000) });
		await bytesOf(await client.download('/q.bin'));
		expect(await client.quota()).toMatchObject({ transferMax: 7_000_000, transferUsed: 3000 });
	});
});
