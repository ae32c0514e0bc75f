/**
 * The sandbox answers as the real MEGA does where a client could otherwise get away with a wrong guess (issue 13):
 * `p` with `ov` follows `vb` and the account's versioning setting, `s2` keeps an existing share key (`{ok}` on a
 * clash), removing an export takes its link without a `ph d:1`, MEGA's apps export with a dummy zero `ok`/`ha`,
 * and `uq` reports no `mxfer` for a free account.
 */
import { randomBytes } from 'node:crypto';

import { encryptKey } from '../../../core/mega/crypto';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { call, fetchTree, getBytes, mkdir, poll, rawLogin, rootOf, uploadFile, downloadUrl, type RawSession, type TreeNode } from './helpers';

let sandbox: MegaSandbox;
let counter = 0;

beforeAll(async () => {
	sandbox = await startMegaSandbox({ waitTimeoutMs: 1000 });
});
afterAll(() => sandbox.close());

async function account(options: { fileVersioning?: boolean; transferBytes?: number } = {}): Promise<{ email: string; session: RawSession; root: string }> {
	counter += 1;
	const email = `answers${counter}@test.local`;
	await sandbox.createAccount({ email, password: 'answers-password', ...options });
	const session = await rawLogin(sandbox.gateway, email, 'answers-password');
	return { email, session, root: rootOf(await fetchTree(sandbox.gateway, session), 2) };
}

describe('p with ov: versions follow vb, then the account setting', () => {
	it.each([
		// [account versioning, vb, kept as a version]
		[true, undefined, true],
		[true, 1, true],
		[true, 0, false],
		[false, undefined, false],
		[false, 1, true],
		[false, 0, false],
	])('versioning %s, vb %s → version kept: %s', async (fileVersioning, vb, kept) => {
		const { session, root } = await account({ fileVersioning });
		const old = await uploadFile(sandbox.gateway, session, root, 'v.txt', Buffer.from('old'));
		const start = (await fetchTree(sandbox.gateway, session)).sn;
		const extra = vb === undefined ? {} : { vb };
		const fresh = await uploadFile(sandbox.gateway, session, root, 'v.txt', Buffer.from('new'), extra, { ov: old.node.h });
		const tree = await fetchTree(sandbox.gateway, session);
		expect(tree.f.map((node) => node.h)).toContain(fresh.node.h);
		const oldNow = [...tree.f, ...(tree.f2 ?? [])].find((node) => node.h === old.node.h);
		if (kept) expect(oldNow).toMatchObject({ p: fresh.node.h });
		else expect(oldNow).toBeUndefined();
		const packets = (await poll(sandbox.gateway, session, start)) as { a: Array<Record<string, unknown>> };
		const d = packets.a.find((packet) => packet.a === 'd');
		expect(d).toMatchObject({ n: old.node.h });
		expect(d?.m === 1).toBe(kept);
	});

	it('can switch versioning off for an account through the control endpoint', async () => {
		const { email, session, root } = await account();
		const res = await fetch(`${sandbox.controlUrl}/versioning`, { method: 'POST', body: JSON.stringify({ email, enabled: false }) });
		expect(res.status).toBe(200);
		const old = await uploadFile(sandbox.gateway, session, root, 'w.txt', Buffer.from('old'));
		await uploadFile(sandbox.gateway, session, root, 'w.txt', Buffer.from('new'), {}, { ov: old.node.h });
		expect((await fetchTree(sandbox.gateway, session)).f.find((node) => node.h === old.node.h)).toBeUndefined();
	});
});

describe('s2 exports', () => {
	function exportCommand(session: RawSession, folder: TreeNode, folderKey: Buffer, shareKey: Buffer): Record<string, unknown> {
		const ha = encryptKey(session.masterKey, Buffer.from(folder.h + folder.h, 'ascii')).toString('base64url');
		return {
			a: 's2',
			n: folder.h,
			s: [{ u: 'EXP', r: 0 }],
			ok: encryptKey(session.masterKey, shareKey).toString('base64url'),
			ha,
			cr: [[folder.h], [folder.h], [0, 0, encryptKey(shareKey, folderKey).toString('base64url')]],
		};
	}

	it('keeps the share key it holds and answers {ok} to a different one, changing nothing', async () => {
		const { session, root } = await account();
		const folder = await mkdir(sandbox.gateway, session, root, 'shared');
		const first = randomBytes(16);
		expect(await call(sandbox.gateway, exportCommand(session, folder.node, folder.key, first), { sid: session.sid })).toBe(0);
		// The same key again is fine.
		expect(await call(sandbox.gateway, exportCommand(session, folder.node, folder.key, first), { sid: session.sid })).toBe(0);
		const start = (await fetchTree(sandbox.gateway, session)).sn;
		const clash = await call(sandbox.gateway, exportCommand(session, folder.node, folder.key, randomBytes(16)), { sid: session.sid });
		expect(clash).toEqual({ ok: encryptKey(session.masterKey, first).toString('base64url') });
		const tree = await fetchTree(sandbox.gateway, session);
		expect(tree.ok).toEqual([expect.objectContaining({ h: folder.node.h, k: encryptKey(session.masterKey, first).toString('base64url') })]);
		expect(tree.f.find((node) => node.h === folder.node.h)?.k).toContain(`${folder.node.h}:${encryptKey(first, folder.key).toString('base64url')}`);
		expect(await poll(sandbox.gateway, session, start)).toEqual({ w: expect.any(String) });
	});

	it('removing the export takes its link too, with an s2 packet and no ph d:1', async () => {
		const { session, root } = await account();
		const folder = await mkdir(sandbox.gateway, session, root, 'unshared');
		const file = await uploadFile(sandbox.gateway, session, folder.node.h, 'f.bin', randomBytes(100));
		expect(await call(sandbox.gateway, exportCommand(session, folder.node, folder.key, randomBytes(16)), { sid: session.sid })).toBe(0);
		const ph = await call<string>(sandbox.gateway, { a: 'l', n: folder.node.h }, { sid: session.sid });
		const { g } = await downloadUrl(sandbox.gateway, { n: file.node.h }, { n: ph });
		expect((await getBytes(g)).status).toBe(200);
		const start = (await fetchTree(sandbox.gateway, session)).sn;
		expect(await call(sandbox.gateway, { a: 's2', n: folder.node.h, s: [{ u: 'EXP', r: '' }] }, { sid: session.sid })).toBe(0);
		const packets = (await poll(sandbox.gateway, session, start)) as { a: Array<Record<string, unknown>> };
		expect(packets.a.map((packet) => packet.a)).toEqual(['s2']);
		expect(packets.a[0]).toMatchObject({ n: folder.node.h, u: 'EXP' });
		expect(packets.a[0].r).toBeUndefined();
		expect(await call(sandbox.gateway, { a: 'f', c: 1 }, { n: ph })).toBe(-9);
		expect((await fetchTree(sandbox.gateway, session)).ph ?? []).toEqual([]);
	});

	it('exports a folder the way MEGA apps do (control client op): zero ok/ha, a working link', async () => {
		const { email, session, root } = await account();
		const folder = await mkdir(sandbox.gateway, session, root, 'by the app');
		const res = await fetch(`${sandbox.controlUrl}/client`, { method: 'POST', body: JSON.stringify({ email, op: 'exportFolder', handle: folder.node.h }) });
		const reply = (await res.json()) as { ok: boolean; publicHandle: string; url: string };
		expect(reply).toMatchObject({ ok: true, publicHandle: expect.stringMatching(/^[A-Za-z0-9_-]{8}$/) });
		expect(reply.url).toMatch(new RegExp(`^https://mega\\.nz/folder/${reply.publicHandle}#[A-Za-z0-9_-]{22}$`));
		const zero = Buffer.alloc(16).toString('base64url');
		expect((await fetchTree(sandbox.gateway, session)).ok).toEqual([{ h: folder.node.h, ha: zero, k: zero }]);
		const viaLink = await call<{ f: TreeNode[] }>(sandbox.gateway, { a: 'f', c: 1 }, { n: reply.publicHandle });
		const shareKey = Buffer.from(reply.url.split('#')[1], 'base64url');
		expect(viaLink.f[0].k).toBe(`${folder.node.h}:${encryptKey(shareKey, folder.key).toString('base64url')}`);
	});
});

describe('uq', () => {
	it('reports no mxfer for a free account, its use as uncommitted transfer (tua)', async () => {
		const { session, root } = await account();
		const file = await uploadFile(sandbox.gateway, session, root, 'q.bin', randomBytes(1000));
		const { g } = await downloadUrl(sandbox.gateway, { n: file.node.h }, { sid: session.sid });
		await getBytes(g);
		const quota = await call<Record<string, unknown>>(sandbox.gateway, { a: 'uq', strg: 1, xfer: 1, pro: 1 }, { sid: session.sid });
		expect(quota.mxfer).toBeUndefined();
		expect(quota).toMatchObject({ caxfer: 0, csxfer: 0, tua: 1000, tuo: 0 });
	});

	it('reports mxfer for an account with a fixed transfer quota', async () => {
		const { session } = await account({ transferBytes: 123_456 });
		expect(await call(sandbox.gateway, { a: 'uq', strg: 1, xfer: 1, pro: 1 }, { sid: session.sid })).toMatchObject({ mxfer: 123_456, caxfer: 0 });
	});
});
