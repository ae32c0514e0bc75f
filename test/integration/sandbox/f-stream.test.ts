import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { JsonList, jsonPieces, LIST_ITEMS_PER_PIECE } from '../../../sandbox/mega/json-chunks';
import type { MegaSandboxServer } from '../../../sandbox/mega/server';
import type { CommandContext } from '../../../sandbox/mega/state';
import { cs, freshId, rawLogin, type RawSession } from './helpers';

/**
 * The `f` reply is written while it is serialized (chunked, a few thousand nodes per write). Its text must be the
 * very text the buffered reply had: `JSON.stringify` of the reply built as objects from the same state.
 */
describe('sandbox: streamed f reply', () => {
	let sandbox: MegaSandbox & MegaSandboxServer;
	let session: RawSession;
	let publicHandle: string;
	let linkRoot: string;
	const email = 'stream@sandbox.local';
	const password = 'stream password';
	let nodes = 0;

	beforeAll(async () => {
		sandbox = await startMegaSandbox({ port: 0 });
		await sandbox.createAccount({ email, password, version: 2 });
		const client = sandbox.client(email);
		linkRoot = await client.mkdir('shared');
		nodes += await client.populate({ folders: 3, filesPerFolder: 1500, parent: linkRoot });
		nodes += await client.populate({ folders: 2, filesPerFolder: 1500 });
		// An old version, so `f2` is not empty.
		const first = await client.upload('versioned.txt', Buffer.from('one'));
		await client.upload('versioned.txt', Buffer.from('two'), undefined, { replaces: first });
		({ publicHandle } = await client.exportFolder(linkRoot));
		session = await rawLogin(sandbox.gateway, email, password);
	}, 120_000);

	afterAll(async () => {
		await sandbox?.close();
	});

	/** Today's text: the reply as objects (no deferred lists), one `JSON.stringify`. */
	async function bufferedText(ctx: Partial<CommandContext>): Promise<string> {
		const results = await sandbox.execute([{ a: 'f', c: 1 }], { state: sandbox.state, query: new URLSearchParams(), ...ctx }, false);
		expect(JSON.stringify(results)).not.toContain('JsonList');
		return JSON.stringify(results);
	}

	const accountCtx = (): Partial<CommandContext> => ({ session: sandbox.state.store.sessions.get(session.sid) });

	it.each([
		['legacy', undefined],
		['v=3', 3],
	] as const)('an account f (%s) streams chunked, byte for byte the buffered text', async (_name, v) => {
		const expected = await bufferedText({ ...accountCtx(), dialect: v === 3 ? 'v3' : 'legacy' });
		const reply = await cs(sandbox.gateway, [{ a: 'f', c: 1 }], { sid: session.sid, v });
		expect(reply.status).toBe(200);
		expect(reply.headers.get('transfer-encoding')).toBe('chunked');
		expect(reply.headers.get('content-length')).toBeNull();
		expect(reply.text).toBe(expected);
		const [result] = reply.json as Array<{ f: unknown[]; f2: unknown[]; st?: string }>;
		// Large enough to take several pieces and writes.
		expect(result.f.length).toBeGreaterThan(3 * LIST_ITEMS_PER_PIECE);
		expect(result.f.length).toBe(nodes + 5);
		expect(result.f2).toHaveLength(1);
		// Parents before children, breadth first from each root, as `Store.subtree` walks; children of files in `f2`.
		const store = sandbox.state.store;
		const account = store.accounts.get(session.userHandle);
		const walked = [account?.rootHandle, account?.inboxHandle, account?.rubbishHandle].flatMap((h) => store.subtree(h ?? ''));
		const isVersion = (node: { p: string }) => store.nodes.get(node.p)?.t === 0;
		expect(result.f.map((node) => (node as { h: string }).h)).toEqual(walked.filter((node) => !isVersion(node)).map((node) => node.h));
		expect(result.f2.map((node) => (node as { h: string }).h)).toEqual(walked.filter(isVersion).map((node) => node.h));
		if (v === 3) expect(typeof result.st).toBe('string');
		else expect(result.st).toBeUndefined();
	});

	it('a node changed after an f streams as it is now (each node\'s kept text follows its fields)', async () => {
		const store = sandbox.state.store;
		const client = sandbox.client(email);
		await cs(sandbox.gateway, [{ a: 'f', c: 1 }], { sid: session.sid });
		const account = store.accounts.get(session.userHandle);
		const folders = store.childrenOf(account?.rootHandle ?? '').filter((node) => node.t === 1 && node.h !== linkRoot);
		const [renamed, moved, rekeyed, touched] = store.childrenOf(folders[0].h).filter((node) => node.t === 0);
		const attributesBefore = renamed.a;
		await client.rename(renamed.h, 'renamed after the first f.txt');
		await client.move(moved.h, folders[1].h);
		// Written in place (as `s2`/`k` do with a key entry, and as a later write could with any field).
		const keyBefore = rekeyed.keys[0][1];
		store.setKey(rekeyed, rekeyed.keys[0][0], `${keyBefore.slice(0, -2)}AA`);
		Object.assign(touched, { ts: touched.ts + 1, s: 12_345, fa: '1:0*abcdefgh' });
		const expected = await bufferedText(accountCtx());
		const reply = await cs(sandbox.gateway, [{ a: 'f', c: 1 }], { sid: session.sid });
		expect(reply.headers.get('transfer-encoding')).toBe('chunked');
		expect(reply.text).toBe(expected);
		const byHandle = new Map((reply.json as Array<{ f: Array<Record<string, unknown>> }>)[0].f.map((node) => [node.h, node]));
		expect(byHandle.get(renamed.h)?.a).not.toBe(attributesBefore);
		expect(byHandle.get(moved.h)?.p).toBe(folders[1].h);
		expect(byHandle.get(rekeyed.h)?.k).toBe(`${rekeyed.keys[0][0]}:${keyBefore.slice(0, -2)}AA`);
		expect(byHandle.get(touched.h)).toMatchObject({ ts: touched.ts, s: 12_345, fa: '1:0*abcdefgh' });
	});

	it.each([
		['legacy', undefined],
		['v=3', 3],
	] as const)('a folder-link f (%s) streams the buffered text', async (_name, v) => {
		const link = sandbox.state.store.publicLinks.get(publicHandle);
		expect(link?.h).toBe(linkRoot);
		const expected = await bufferedText({ folderLink: { ph: publicHandle, rootHandle: linkRoot, owner: session.userHandle }, dialect: v === 3 ? 'v3' : 'legacy' });
		const reply = await cs(sandbox.gateway, [{ a: 'f', c: 1, r: 1 }], { n: publicHandle, v });
		expect(reply.headers.get('transfer-encoding')).toBe('chunked');
		expect(reply.text).toBe(expected);
		expect((reply.json as Array<{ f: unknown[] }>)[0].f.length).toBe(3 * 1501 + 1);
	});

	it('a batch ending with f streams the whole batch', async () => {
		const results = await sandbox.execute([{ a: 'uq' }, { a: 'nope' }, { a: 'f', c: 1 }], { state: sandbox.state, query: new URLSearchParams(), ...accountCtx() }, false);
		const reply = await cs(sandbox.gateway, [{ a: 'uq' }, { a: 'nope' }, { a: 'f', c: 1 }], { sid: session.sid });
		expect(reply.headers.get('transfer-encoding')).toBe('chunked');
		// `uq` carries figures that may move between the two calls; the error and the f part must match exactly.
		const [, error, f] = reply.json as unknown[];
		expect(error).toBe(results[1]);
		expect(JSON.stringify(f)).toBe(JSON.stringify(results[2]));
	});

	it('an f followed by a move in one batch shows the tree before the move (buffered)', async () => {
		const store = sandbox.state.store;
		const account = store.accounts.get(session.userHandle);
		const folder = store.childrenOf(account?.rootHandle ?? '').find((node) => node.t === 1 && node.h !== linkRoot);
		const file = store.childrenOf(folder?.h ?? '').find((node) => node.t === 0);
		expect(file).toBeDefined();
		const handle = file?.h as string;
		const expected = await bufferedText(accountCtx());
		const reply = await cs(sandbox.gateway, [{ a: 'f', c: 1 }, { a: 'm', n: handle, t: account?.rubbishHandle, i: 'movetest01' }], { sid: session.sid });
		expect(reply.headers.get('content-length')).toBe(String(Buffer.byteLength(reply.text)));
		const [f, moved] = reply.json as [unknown, number];
		expect(moved).toBe(0);
		expect(JSON.stringify([f])).toBe(expected);
		expect(store.nodes.get(handle)?.p).toBe(account?.rubbishHandle);
	});

	it('the replay cache answers a resend with the same text', async () => {
		const id = freshId();
		const first = await cs(sandbox.gateway, [{ a: 'f', c: 1 }], { sid: session.sid, id });
		await sandbox.client(email).mkdir('made after the first f');
		const again = await cs(sandbox.gateway, [{ a: 'f', c: 1 }], { sid: session.sid, id });
		expect(again.text).toBe(first.text);
		expect(Number(again.headers.get('content-length'))).toBe(Buffer.byteLength(first.text));
		expect(sandbox.counters().replayed).toBeGreaterThan(0);
	});

	it('a bandwidth cap or a drop fault gets the buffered body with its Content-Length', async () => {
		const expected = await bufferedText(accountCtx());
		const cap = sandbox.faults.add({ kind: 'bandwidth', bytesPerSecond: 64 * 1024 * 1024, endpoint: 'cs' });
		try {
			const reply = await cs(sandbox.gateway, [{ a: 'f', c: 1 }], { sid: session.sid });
			expect(reply.headers.get('content-length')).toBe(String(Buffer.byteLength(expected)));
			expect(reply.text).toBe(expected);
		} finally {
			sandbox.faults.remove(cap);
		}
		sandbox.faults.add({ kind: 'drop', endpoint: 'cs', command: 'f', afterBytes: 1000 });
		const id = freshId();
		await expect(cs(sandbox.gateway, [{ a: 'f', c: 1 }], { sid: session.sid, id })).rejects.toThrow();
		// The cut reply was applied and cached: the resend gets it whole.
		const resent = await cs(sandbox.gateway, [{ a: 'f', c: 1 }], { sid: session.sid, id });
		expect(resent.text).toBe(await bufferedText(accountCtx()));
	});

	it('jsonPieces joined is JSON.stringify for lists of any length and the values around them', () => {
		const item = (i: number) => ({ h: `h${i}`, n: i, u: undefined, q: 'a"\\\u2028é' });
		for (const length of [0, 1, LIST_ITEMS_PER_PIECE - 1, LIST_ITEMS_PER_PIECE, LIST_ITEMS_PER_PIECE + 1, 3 * LIST_ITEMS_PER_PIECE + 7]) {
			const items = Array.from({ length }, (_, i) => i);
			// A list may be a walk read once as it is written (as the account's `f` is).
			const walk = function* () {
				yield* items;
			};
			const itemText = (i: number) => JSON.stringify(item(i));
			const value = () => [-9, { a: undefined, f: new JsonList(items, itemText), g: [new JsonList(walk(), itemText)], fn: () => 1, s: 'x', n: null }, 'tail', undefined];
			const plain = [-9, { a: undefined, f: items.map(item), g: [items.map(item)], fn: () => 1, s: 'x', n: null }, 'tail', undefined];
			expect([...jsonPieces(value())].join('')).toBe(JSON.stringify(plain));
			expect(JSON.stringify(value())).toBe(JSON.stringify(plain));
		}
	});
});
