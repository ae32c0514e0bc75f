import { decryptKey, encryptAttributes, encryptKey } from '../../../core/mega/crypto';
import { randomBytes } from 'node:crypto';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { call, downloadUrl, fetchTree, getBytes, mkdir, nameOf, ownKey, rawLogin, rootOf, uploadFile, type RawSession, type TreeNode } from './helpers';

describe('sandbox nodes', () => {
	let sandbox: MegaSandbox;
	let session: RawSession;
	let root: string;
	let rubbish: string;
	const gw = (): string => sandbox.gateway;

	beforeAll(async () => {
		sandbox = await startMegaSandbox();
		await sandbox.createAccount({ email: 'nodes@test.local', password: 'nodes-password' });
		session = await rawLogin(sandbox.gateway, 'nodes@test.local', 'nodes-password');
		const tree = await fetchTree(sandbox.gateway, session);
		root = rootOf(tree, 2);
		rubbish = rootOf(tree, 4);
	});
	afterAll(() => sandbox.close());

	it('returns roots, ok, s, u and an 11-char sn from f', async () => {
		const tree = await fetchTree(gw(), session);
		expect(tree.f.filter((n) => n.t >= 2).map((n) => [n.t, n.p, n.a])).toEqual([
			[2, '', ''],
			[3, '', ''],
			[4, '', ''],
		]);
		for (const node of tree.f) expect(node.h).toMatch(/^[A-Za-z0-9_-]{8}$/);
		expect(tree.ok).toEqual([]);
		expect(tree.s).toEqual([]);
		expect(tree.u).toEqual([{ u: session.userHandle, c: 2, m: 'nodes@test.local' }]);
		expect(tree.sn).toMatch(/^[A-Za-z0-9_-]{11}$/);
	});

	it('creates folders (also nested in one p) and lists parents before children with owner-prefixed keys', async () => {
		const keyA = randomBytes(16);
		const keyB = randomBytes(16);
		const attr = (name: string, key: Buffer): string => encryptAttributes({ n: name }, key).toString('base64url');
		const reply = await call<{ f: TreeNode[] }>(
			gw(),
			{
				a: 'p',
				t: root,
				n: [
					{ h: 'tmpA', t: 1, a: attr('outer', keyA), k: encryptKey(session.masterKey, keyA).toString('base64url') },
					{ h: 'tmpB', p: 'tmpA', t: 1, a: attr('inner', keyB), k: encryptKey(session.masterKey, keyB).toString('base64url') },
				],
			},
			{ sid: session.sid },
		);
		expect(reply.f[1].p).toBe(reply.f[0].h);
		expect(reply.f[0].k).toBe(`${session.userHandle}:${encryptKey(session.masterKey, keyA).toString('base64url')}`);
		const tree = await fetchTree(gw(), session);
		const handles = tree.f.map((n) => n.h);
		expect(handles.indexOf(reply.f[0].h)).toBeLessThan(handles.indexOf(reply.f[1].h));
		const inner = tree.f.find((n) => n.h === reply.f[1].h) as TreeNode;
		expect(nameOf(inner, ownKey(inner, session))).toBe('inner');
	});

	it('makes a new upload the current version of an old file with ov: the old one moves to f2', async () => {
		const first = await uploadFile(gw(), session, root, 'doc.txt', Buffer.from('version 1'));
		const second = await uploadFile(gw(), session, root, 'doc.txt', Buffer.from('version 2'), {}, { ov: first.node.h });
		const tree = await fetchTree(gw(), session);
		expect(tree.f.some((n) => n.h === first.node.h)).toBe(false);
		expect(tree.f2?.find((n) => n.h === first.node.h)?.p).toBe(second.node.h);
		expect(await call(gw(), { a: 'dv' }, { sid: session.sid })).toBe(0);
		const after = await fetchTree(gw(), session);
		expect(after.f2).toEqual([]);
		expect(after.f.some((n) => n.h === second.node.h)).toBe(true);
	});

	it('copies a file the way the SDK sends it (h = source handle) and imports a public file by ph', async () => {
		const { node, nodeKey } = await uploadFile(gw(), session, root, 'source.bin', randomBytes(5000));
		const at = encryptAttributes({ n: 'copy.bin' }, nodeKey).toString('base64url');
		const k = encryptKey(session.masterKey, nodeKey).toString('base64url');
		const copy = await call<{ f: TreeNode[] }>(gw(), { a: 'p', t: root, n: [{ h: node.h, t: 0, a: at, k }] }, { sid: session.sid });
		expect(copy.f[0]).toMatchObject({ s: 5000, t: 0 });
		expect(copy.f[0].h).not.toBe(node.h);
		const ph = await call<string>(gw(), { a: 'l', n: node.h }, { sid: session.sid });
		await sandbox.createAccount({ email: 'importer@test.local', password: 'importer-password' });
		const other = await rawLogin(gw(), 'importer@test.local', 'importer-password');
		const otherRoot = rootOf(await fetchTree(gw(), other), 2);
		const imported = await call<{ f: TreeNode[] }>(gw(), { a: 'p', t: otherRoot, n: [{ ph, t: 0, a: at, k: encryptKey(other.masterKey, nodeKey).toString('base64url') }] }, { sid: other.sid });
		expect(imported.f[0]).toMatchObject({ s: 5000, u: other.userHandle });
		const { g } = await downloadUrl(gw(), { n: imported.f[0].h }, { sid: other.sid });
		const original = await downloadUrl(gw(), { n: node.h }, { sid: session.sid });
		expect((await getBytes(g)).body.equals((await getBytes(original.g)).body)).toBe(true);
	});

	it('moves nodes, refuses a move into its own subtree (-10) and refuses to move roots', async () => {
		const outer = await mkdir(gw(), session, root, 'move-outer');
		const inner = await mkdir(gw(), session, outer.node.h, 'move-inner');
		expect(await call(gw(), { a: 'm', n: outer.node.h, t: inner.node.h }, { sid: session.sid })).toBe(-10);
		expect(await call(gw(), { a: 'm', n: outer.node.h, t: outer.node.h }, { sid: session.sid })).toBe(-10);
		expect(await call(gw(), { a: 'm', n: root, t: rubbish }, { sid: session.sid })).toBe(-11);
		expect(await call(gw(), { a: 'm', n: inner.node.h, t: rubbish }, { sid: session.sid })).toBe(0);
		const tree = await fetchTree(gw(), session);
		expect(tree.f.find((n) => n.h === inner.node.h)?.p).toBe(rubbish);
		expect(await call(gw(), { a: 'm', n: 'nonexist', t: root }, { sid: session.sid })).toBe(-9);
	});

	it('deletes subtrees with d and empties the rubbish bin with dr', async () => {
		const folder = await mkdir(gw(), session, root, 'to-delete');
		await uploadFile(gw(), session, folder.node.h, 'inside.txt', Buffer.from('x'));
		expect(await call(gw(), { a: 'd', n: folder.node.h }, { sid: session.sid })).toBe(0);
		let tree = await fetchTree(gw(), session);
		expect(tree.f.some((n) => n.p === folder.node.h || n.h === folder.node.h)).toBe(false);
		const trashed = await mkdir(gw(), session, rubbish, 'trashed');
		expect(await call(gw(), { a: 'dr' }, { sid: session.sid })).toBe(0);
		tree = await fetchTree(gw(), session);
		expect(tree.f.filter((n) => n.p === rubbish)).toEqual([]);
		expect(tree.f.some((n) => n.h === trashed.node.h)).toBe(false);
	});

	it('replaces the whole attribute object with a (at or attr, optional key)', async () => {
		const folder = await mkdir(gw(), session, root, 'attrs');
		const at = encryptAttributes({ n: 'renamed', lbl: 3 }, folder.key).toString('base64url');
		expect(await call(gw(), { a: 'a', n: folder.node.h, at }, { sid: session.sid })).toBe(0);
		let node = (await fetchTree(gw(), session)).f.find((n) => n.h === folder.node.h) as TreeNode;
		expect(node.a).toBe(at);
		const newKey = randomBytes(16);
		const attr = encryptAttributes({ n: 'rekeyed' }, newKey).toString('base64url');
		expect(await call(gw(), { a: 'a', n: folder.node.h, attr, key: encryptKey(session.masterKey, newKey).toString('base64url') }, { sid: session.sid })).toBe(0);
		node = (await fetchTree(gw(), session)).f.find((n) => n.h === folder.node.h) as TreeNode;
		expect(nameOf(node, ownKey(node, session))).toBe('rekeyed');
	});

	it('creates, repeats and removes public handles; ets is Pro-only (-11)', async () => {
		const { node } = await uploadFile(gw(), session, root, 'public.txt', Buffer.from('public'));
		const ph = await call<string>(gw(), { a: 'l', n: node.h }, { sid: session.sid });
		expect(ph).toMatch(/^[A-Za-z0-9_-]{8}$/);
		expect(await call(gw(), { a: 'l', n: node.h }, { sid: session.sid })).toBe(ph);
		expect((await fetchTree(gw(), session)).ph).toContainEqual(expect.objectContaining({ h: node.h, ph }));
		const info = await call<{ s: number; at: string; g?: string }>(gw(), { a: 'g', p: ph });
		expect(info.s).toBe(6);
		expect(info.g).toBeUndefined();
		expect(await call(gw(), { a: 'l', n: node.h, ets: 2_000_000_000 }, { sid: session.sid })).toBe(-11);
		expect(await call(gw(), { a: 'l', n: node.h, d: 1 }, { sid: session.sid })).toBe(0);
		expect(await call(gw(), { a: 'g', p: ph })).toBe(-9);
	});

	it('exports a folder with s2 + cr: the folder link lists the subtree with <root>:<key> and serves its files', async () => {
		const folder = await mkdir(gw(), session, root, 'shared');
		const data = randomBytes(3000);
		const file = await uploadFile(gw(), session, folder.node.h, 'in-share.bin', data);
		const shareKey = randomBytes(16);
		const ha = encryptKey(session.masterKey, Buffer.from(folder.node.h + folder.node.h));
		const cr = [[folder.node.h], [folder.node.h, file.node.h], [0, 0, encryptKey(shareKey, folder.key).toString('base64url'), 0, 1, encryptKey(shareKey, file.nodeKey).toString('base64url')]];
		expect(await call(gw(), { a: 's2', n: folder.node.h, s: [{ u: 'EXP', r: 0 }], ok: encryptKey(session.masterKey, shareKey).toString('base64url'), ha: ha.toString('base64url'), cr }, { sid: session.sid })).toBe(0);
		const ph = await call<string>(gw(), { a: 'l', n: folder.node.h }, { sid: session.sid });
		const own = await fetchTree(gw(), session);
		expect(own.ok).toContainEqual({ h: folder.node.h, ha: ha.toString('base64url'), k: encryptKey(session.masterKey, shareKey).toString('base64url') });
		expect(own.s).toContainEqual(expect.objectContaining({ h: folder.node.h, u: 'EXP', r: 0 }));

		// A file written later without `cr` has no key entry for the share: the link cannot read it.
		const laterFile = await uploadFile(gw(), session, folder.node.h, 'later.bin', randomBytes(10));
		const viaLink = await call<{ f: TreeNode[]; sn: string }>(gw(), { a: 'f', c: 1, ca: 1, r: 1 }, { n: ph });
		expect(viaLink.f[0].h).toBe(folder.node.h);
		expect(viaLink.f[0].k).toBe(`${folder.node.h}:${encryptKey(shareKey, folder.key).toString('base64url')}`);
		const listedFile = viaLink.f.find((n) => n.h === file.node.h) as TreeNode;
		expect(decryptKey(shareKey, Buffer.from((listedFile.k as string).split(':')[1], 'base64url')).equals(file.nodeKey)).toBe(true);
		expect(viaLink.f.find((n) => n.h === laterFile.node.h)?.k).toBe('');
		const { g, s } = await downloadUrl(gw(), { n: file.node.h }, { n: ph });
		expect(s).toBe(3000);
		expect((await getBytes(g)).status).toBe(200);
		expect(await call(gw(), { a: 'g', g: 1, n: rootOf(own, 2) }, { n: ph })).toBe(-9);

		expect(await call(gw(), { a: 's2', n: folder.node.h, s: [{ u: 'EXP', r: '' }] }, { sid: session.sid })).toBe(0);
		expect(await call(gw(), { a: 'f', c: 1 }, { n: ph })).toBe(-9);
	});

	it('stores cr sent with p and m for nodes under an exported folder', async () => {
		const folder = await mkdir(gw(), session, root, 'exported2');
		const shareKey = randomBytes(16);
		await call(gw(), { a: 's2', n: folder.node.h, s: [{ u: 'EXP', r: 0 }], ok: encryptKey(session.masterKey, shareKey).toString('base64url'), ha: 'AAAAAAAAAAAAAAAAAAAAAA', cr: [[folder.node.h], [folder.node.h], [0, 0, encryptKey(shareKey, folder.key).toString('base64url')]] }, { sid: session.sid });
		const data = randomBytes(50);
		const placeholderCr = (key: Buffer): unknown[] => [[folder.node.h], ['xxxxxxxx'], [0, 0, encryptKey(shareKey, key).toString('base64url')]];
		const sub = randomBytes(16);
		const made = await call<{ f: TreeNode[] }>(
			gw(),
			{ a: 'p', t: folder.node.h, n: [{ h: 'xxxxxxxx', t: 1, a: encryptAttributes({ n: 'sub' }, sub).toString('base64url'), k: encryptKey(session.masterKey, sub).toString('base64url') }], cr: placeholderCr(sub) },
			{ sid: session.sid },
		);
		expect(made.f[0].k).toContain(`${folder.node.h}:`);
		const outside = await uploadFile(gw(), session, root, 'outside.bin', data);
		expect(await call(gw(), { a: 'm', n: outside.node.h, t: folder.node.h, cr: [[folder.node.h], [outside.node.h], [0, 0, encryptKey(shareKey, outside.nodeKey).toString('base64url')]] }, { sid: session.sid })).toBe(0);
		expect(sandbox.getNode(outside.node.h)?.k).toContain(`${folder.node.h}:`);
	});

	it('enforces the storage quota with -17 on u and p, and uq follows real usage', async () => {
		await sandbox.createAccount({ email: 'quota@test.local', password: 'quota-password', storageBytes: 10_000 });
		const q = await rawLogin(gw(), 'quota@test.local', 'quota-password');
		const qroot = rootOf(await fetchTree(gw(), q), 2);
		await uploadFile(gw(), q, qroot, 'a.bin', randomBytes(6000));
		let quota = await call<{ cstrg: number; mstrg: number; cstrgn: Record<string, number[]> }>(gw(), { a: 'uq', strg: 1, xfer: 1, pro: 1 }, { sid: q.sid });
		expect(quota).toMatchObject({ cstrg: 6000, mstrg: 10_000 });
		expect(quota.cstrgn[qroot]).toEqual([6000, 1, 0, 0, 0]);
		expect(await call(gw(), { a: 'u', s: 5000, ssl: 0 }, { sid: q.sid })).toBe(-17);
		const { token } = await (async () => {
			const { p } = await call<{ p: string }>(gw(), { a: 'u', s: 3000, v: 2 }, { sid: q.sid });
			const res = await fetch(`${p}/0`, { method: 'POST', body: randomBytes(3000) });
			return { token: Buffer.from(await res.arrayBuffer()).toString('base64url') };
		})();
		sandbox.setQuota('quota@test.local', { storageBytes: 8000 });
		const node = { h: token, t: 0, a: '', k: randomBytes(32).toString('base64url') };
		expect(await call(gw(), { a: 'p', t: qroot, n: [node] }, { sid: q.sid })).toBe(-17);
		sandbox.setQuota('quota@test.local', { storageBytes: 10_000 });
		expect(await call<{ f: TreeNode[] }>(gw(), { a: 'p', t: qroot, n: [node] }, { sid: q.sid })).toMatchObject({ f: [{ s: 3000 }] });
		quota = await call(gw(), { a: 'uq', strg: 1 }, { sid: q.sid });
		expect(quota.cstrg).toBe(9000);
	});

	it('does not let one account touch another account’s nodes', async () => {
		await sandbox.createAccount({ email: 'intruder@test.local', password: 'intruder-password' });
		const intruder = await rawLogin(gw(), 'intruder@test.local', 'intruder-password');
		const folder = await mkdir(gw(), session, root, 'private');
		expect(await call(gw(), { a: 'd', n: folder.node.h }, { sid: intruder.sid })).toBe(-11);
		expect(await call(gw(), { a: 'g', g: 1, n: folder.node.h }, { sid: intruder.sid })).toBe(-11);
		expect(await call(gw(), { a: 'p', t: folder.node.h, n: [{ h: 'xxxxxxxx', t: 1, a: '', k: randomBytes(16).toString('base64url') }] }, { sid: intruder.sid })).toBe(-11);
	});
});
