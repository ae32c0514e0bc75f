import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { call, fetchTree, mkdir, poll, rawLogin, rootOf, uploadFile, type RawSession } from './helpers';

function snValue(sn: string): bigint {
	return Buffer.from(sn, 'base64url').readBigUInt64BE();
}

describe('sandbox change feed (sc)', () => {
	let sandbox: MegaSandbox;
	let session: RawSession;
	let root: string;
	let rubbish: string;

	beforeAll(async () => {
		sandbox = await startMegaSandbox({ waitTimeoutMs: 1500, scLogLimit: 50 });
		await sandbox.createAccount({ email: 'feed@test.local', password: 'feed-password' });
		session = await rawLogin(sandbox.gateway, 'feed@test.local', 'feed-password');
		const tree = await fetchTree(sandbox.gateway, session);
		root = rootOf(tree, 2);
		rubbish = rootOf(tree, 4);
	});
	afterAll(() => sandbox.close());

	it('answers {w} alone on sc when nothing changed (as MEGA does), and the packets of every change since sn, echoing i', async () => {
		const start = (await fetchTree(sandbox.gateway, session)).sn;
		const idle = await poll(sandbox.gateway, session, start);
		expect(idle).toEqual({ w: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/wsc\/[A-Za-z0-9_-]+$/) });

		const folder = await mkdir(sandbox.gateway, session, root, 'watched', { i: 'req-mkdir1' });
		const { node: file } = await uploadFile(sandbox.gateway, session, folder.node.h, 'f.txt', Buffer.from('data'), { i: 'req-upload' });
		await call(sandbox.gateway, { a: 'a', n: folder.node.h, at: folder.node.a, i: 'req-rename' }, { sid: session.sid });
		await call(sandbox.gateway, { a: 'm', n: folder.node.h, t: rubbish, i: 'req-move01' }, { sid: session.sid });
		const ph = await call<string>(sandbox.gateway, { a: 'l', n: file.h, i: 'req-link01' }, { sid: session.sid });
		await call(sandbox.gateway, { a: 'd', n: folder.node.h, i: 'req-delete' }, { sid: session.sid });

		const batch = (await poll(sandbox.gateway, session, start)) as { a: Array<Record<string, unknown>>; sn: string };
		expect(batch.a.map((p) => [p.a, p.i])).toEqual([
			['t', 'req-mkdir1'],
			['t', 'req-upload'],
			['u', 'req-rename'],
			['d', 'req-move01'],
			['t', 'req-move01'],
			['ph', 'req-link01'],
			['d', 'req-delete'],
		]);
		for (const packet of batch.a) expect(Object.keys(packet).slice(0, 2)).toEqual(['a', 'i']);
		expect(batch.a[0]).toMatchObject({ t: { f: [expect.objectContaining({ h: folder.node.h, p: root })] }, ou: session.userHandle });
		expect(batch.a[2]).toMatchObject({ n: folder.node.h, u: session.userHandle, at: folder.node.a });
		expect(batch.a[3]).toMatchObject({ n: folder.node.h, m: 1 });
		// A move carries the moved node and its whole subtree.
		expect((batch.a[4].t as { f: Array<{ h: string; p: string }> }).f.map((n) => [n.h, n.p])).toEqual([
			[folder.node.h, rubbish],
			[file.h, folder.node.h],
		]);
		expect(batch.a[5]).toMatchObject({ h: file.h, ph, n: 1 });
		expect(batch.a[6]).toMatchObject({ n: folder.node.h });
		expect(batch.sn).toMatch(/^[A-Za-z0-9_-]{11}$/);
		expect(snValue(batch.sn)).toBeGreaterThan(snValue(start));
		expect(await poll(sandbox.gateway, session, batch.sn)).toEqual({ w: expect.any(String) });

		// sn is monotonic: a later change gets a larger one, and polling from the middle returns only the rest.
		await mkdir(sandbox.gateway, session, root, 'later');
		const next = (await poll(sandbox.gateway, session, batch.sn)) as { a: unknown[]; sn: string };
		expect(next.a).toHaveLength(1);
		expect(snValue(next.sn)).toBeGreaterThan(snValue(batch.sn));
	});

	it('blocks the wait URL until a change arrives', async () => {
		// A long wait timeout here, so an early answer can only mean "a change arrived".
		const slow = await startMegaSandbox({ waitTimeoutMs: 60_000 });
		try {
			await slow.createAccount({ email: 'wake@test.local', password: 'wake-password' });
			const me = await rawLogin(slow.gateway, 'wake@test.local', 'wake-password');
			const { sn } = await fetchTree(slow.gateway, me);
			const { w } = (await poll(slow.gateway, me, sn)) as { w: string };
			const began = Date.now();
			let answered = false;
			const waiting = fetch(w, { method: 'POST' }).then(async (res) => {
				answered = true;
				return { body: await res.text(), after: Date.now() - began };
			});
			await new Promise((resolve) => setTimeout(resolve, 500));
			expect(answered).toBe(false);
			await slow.client('wake@test.local').mkdir('from another client');
			const woke = await waiting;
			expect(woke.after).toBeGreaterThanOrEqual(450);
			expect(woke.after).toBeLessThan(30_000);
			expect(woke.body).toBe('0');
			const batch = (await poll(slow.gateway, me, sn)) as { a: Array<{ a: string }> };
			expect(batch.a.map((p) => p.a)).toEqual(['t']);
		} finally {
			await slow.close();
		}
	});

	it('lets the wait URL time out after waitTimeoutMs when nothing changes', async () => {
		const { sn } = await fetchTree(sandbox.gateway, session);
		const { w } = (await poll(sandbox.gateway, session, sn)) as { w: string };
		const began = Date.now();
		const res = await fetch(w, { method: 'GET' });
		expect(await res.text()).toBe('0');
		expect(Date.now() - began).toBeGreaterThanOrEqual(1400);
	});

	it('answers -6 for an sn older than the retained log (trimmed on request or by scLogLimit) and for unknown sn', async () => {
		const { sn } = await fetchTree(sandbox.gateway, session);
		await mkdir(sandbox.gateway, session, root, 'before trim');
		sandbox.trimScLog('feed@test.local');
		expect(await poll(sandbox.gateway, session, sn)).toBe(-6);
		const fresh = await fetchTree(sandbox.gateway, session);
		expect(await poll(sandbox.gateway, session, fresh.sn)).toMatchObject({ w: expect.any(String) });
		for (let i = 0; i < 51; i++) await mkdir(sandbox.gateway, session, root, `bulk-${i}`);
		expect(await poll(sandbox.gateway, session, fresh.sn)).toBe(-6);
		expect(await poll(sandbox.gateway, session, 'AAAAAAAAAAA')).toBe(-6);
		expect(await poll(sandbox.gateway, session, 'garbage')).toBe(-6);
		const beyond = Buffer.alloc(8, 0xff).toString('base64url');
		expect(await poll(sandbox.gateway, session, beyond)).toBe(-6);
	});

	it('speaks the SDK flavour too: wsc?sn= answers {w, sn}, and a wait URL that answers packets when asked with ?sn=', async () => {
		const { sn } = await fetchTree(sandbox.gateway, session);
		const first = (await (await fetch(`${sandbox.gateway}wsc?sn=${sn}&sid=${session.sid}`)).json()) as { w: string; sn: string };
		expect(first.sn).toBe(sn);
		const waiting = fetch(`${first.w}?sn=${sn}&sid=${session.sid}`).then((r) => r.json() as Promise<{ a: Array<{ a: string }>; sn: string }>);
		await new Promise((resolve) => setTimeout(resolve, 100));
		await mkdir(sandbox.gateway, session, root, 'wakes the wait URL');
		const woke = await waiting;
		expect(woke.a.map((p) => p.a)).toEqual(['t']);
		expect(snValue(woke.sn)).toBeGreaterThan(snValue(sn));
	});

	it('keeps feeds apart per account and answers -15 for a bad sid', async () => {
		await sandbox.createAccount({ email: 'other-feed@test.local', password: 'other-password' });
		const other = await rawLogin(sandbox.gateway, 'other-feed@test.local', 'other-password');
		const { sn } = await fetchTree(sandbox.gateway, other);
		await mkdir(sandbox.gateway, session, root, 'not yours');
		expect(await poll(sandbox.gateway, other, sn)).toMatchObject({ w: expect.any(String) });
		expect(await poll(sandbox.gateway, { ...other, sid: 'bogus' }, sn)).toBe(-15);
	});
});
