import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { call, cs, fetchTree, getBytes, downloadUrl, poll, rawLogin, rootOf, type RawSession } from './helpers';

async function control(sandbox: MegaSandbox, method: string, action: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
	const res = await fetch(`${sandbox.controlUrl}/${action}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
	return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('sandbox control endpoint', () => {
	let sandbox: MegaSandbox;
	let session: RawSession;

	beforeAll(async () => {
		sandbox = await startMegaSandbox({ waitTimeoutMs: 2000 });
		const created = await control(sandbox, 'POST', 'accounts', { email: 'ctl@test.local', password: 'ctl-password', version: 1 });
		expect(created.status).toBe(200);
		expect(created.json.account).toMatchObject({ email: 'ctl@test.local', version: 1, userHandle: expect.stringMatching(/^[A-Za-z0-9_-]{11}$/) });
		session = await rawLogin(sandbox.gateway, 'ctl@test.local', 'ctl-password');
	});
	afterAll(() => sandbox.close());

	it('lists accounts and refuses duplicates and bad input with 4xx', async () => {
		expect((await control(sandbox, 'GET', 'accounts')).json.accounts).toEqual([{ email: 'ctl@test.local', password: 'ctl-password', version: 1 }]);
		expect((await control(sandbox, 'POST', 'accounts', { email: 'ctl@test.local', password: 'x' })).status).toBe(409);
		expect((await control(sandbox, 'POST', 'accounts', { email: 'not-an-email', password: 'x' })).status).toBe(400);
		expect((await control(sandbox, 'POST', 'nonsense', {})).status).toBe(404);
		expect((await control(sandbox, 'POST', 'faults', { kind: 'nope' })).status).toBe(400);
	});

	it('adds, lists and removes faults, and reads and resets counters', async () => {
		await control(sandbox, 'POST', 'counters/reset');
		const added = await control(sandbox, 'POST', 'faults', { kind: 'error', code: -3, endpoint: 'cs', count: 1 });
		expect(added.json.id).toEqual(expect.any(String));
		expect((await control(sandbox, 'GET', 'faults')).json.faults).toEqual([expect.objectContaining({ id: added.json.id, kind: 'error', remaining: 1 })]);
		expect((await cs(sandbox.gateway, [{ a: 'ug' }], { sid: session.sid })).text).toBe('-3');
		const second = await control(sandbox, 'POST', 'faults', { kind: 'error', code: -3, probability: 1 });
		expect((await fetch(`${sandbox.controlUrl}/faults/${String(second.json.id)}`, { method: 'DELETE' })).status).toBe(200);
		await control(sandbox, 'POST', 'faults', { kind: 'error', code: -3, probability: 1 });
		await control(sandbox, 'POST', 'faults/clear');
		expect(await call(sandbox.gateway, { a: 'ug' }, { sid: session.sid })).toMatchObject({ u: session.userHandle });
		const counters = (await control(sandbox, 'GET', 'counters')).json;
		expect(counters).toMatchObject({ endpoints: { cs: 2 }, commands: { ug: 2 }, applied: { ug: 1 }, faults: 1 });
	});

	it('expires sessions, trims the feed, sets quotas and turns hashcash on and off', async () => {
		const { sn } = await fetchTree(sandbox.gateway, session);
		await control(sandbox, 'POST', 'client', { email: 'ctl@test.local', op: 'mkdir', name: 'trim me' });
		await control(sandbox, 'POST', 'sc/trim', { email: 'ctl@test.local' });
		expect(await poll(sandbox.gateway, session, sn)).toBe(-6);

		await control(sandbox, 'POST', 'quota', { email: 'ctl@test.local', storageBytes: 100 });
		expect(await call(sandbox.gateway, { a: 'u', s: 101 }, { sid: session.sid })).toBe(-17);
		expect((await control(sandbox, 'POST', 'quota', { email: 'ctl@test.local', storageBytes: -1 })).status).toBe(400);
		await control(sandbox, 'POST', 'quota', { email: 'ctl@test.local', storageBytes: 1e9 });

		await control(sandbox, 'POST', 'hashcash', { commands: ['ug'], easiness: 255 });
		expect((await cs(sandbox.gateway, [{ a: 'ug' }], { sid: session.sid })).status).toBe(402);
		await control(sandbox, 'POST', 'hashcash', null);
		expect((await cs(sandbox.gateway, [{ a: 'ug' }], { sid: session.sid })).status).toBe(200);

		const other = await rawLogin(sandbox.gateway, 'ctl@test.local', 'ctl-password');
		await control(sandbox, 'POST', 'sessions/expire', { email: 'ctl@test.local' });
		expect((await cs(sandbox.gateway, [{ a: 'ug' }], { sid: other.sid })).json).toBe(-15);
		session = await rawLogin(sandbox.gateway, 'ctl@test.local', 'ctl-password');
	});

	it('makes changes as another client that show up in the feed and the tree', async () => {
		const { sn } = await fetchTree(sandbox.gateway, session);
		const folder = await control(sandbox, 'POST', 'client', { email: 'ctl@test.local', op: 'mkdir', name: 'remote' });
		const file = await control(sandbox, 'POST', 'client', { email: 'ctl@test.local', op: 'upload', name: 'remote.txt', parent: folder.json.handle, dataBase64: Buffer.from('remote body').toString('base64') });
		await control(sandbox, 'POST', 'client', { email: 'ctl@test.local', op: 'rename', handle: file.json.handle, name: 'renamed.txt' });
		const root = rootOf(await fetchTree(sandbox.gateway, session), 2);
		await control(sandbox, 'POST', 'client', { email: 'ctl@test.local', op: 'move', handle: file.json.handle, target: root });
		await control(sandbox, 'POST', 'client', { email: 'ctl@test.local', op: 'remove', handle: folder.json.handle });
		const batch = (await poll(sandbox.gateway, session, sn)) as { a: Array<{ a: string; i?: string }> };
		expect(batch.a.map((p) => p.a)).toEqual(['t', 't', 'u', 'd', 't', 'd']);
		for (const packet of batch.a) expect(packet.i).toEqual(expect.any(String));
		const listed = (await control(sandbox, 'POST', 'client', { email: 'ctl@test.local', op: 'list' })).json.nodes as Array<{ name: string; handle: string; size: number }>;
		expect(listed).toContainEqual(expect.objectContaining({ handle: file.json.handle, name: 'renamed.txt', size: 11 }));
		const { g } = await downloadUrl(sandbox.gateway, { n: file.json.handle }, { sid: session.sid });
		expect((await getBytes(g)).body).toHaveLength(11);
		expect(await sandbox.client('ctl@test.local').download(file.json.handle as string)).toEqual(Buffer.from('remote body'));
		expect((await control(sandbox, 'POST', 'client', { email: 'ctl@test.local', op: 'explode' })).status).toBe(400);
		expect((await control(sandbox, 'POST', 'client', { email: 'nobody@test.local', op: 'list' })).status).toBe(404);
	});

	it('describes itself on GET info', async () => {
		expect((await control(sandbox, 'GET', 'info')).json).toMatchObject({ gateway: sandbox.gateway, control: sandbox.controlUrl });
	});
});
