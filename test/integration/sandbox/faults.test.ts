import { ctrAt, unpackNodeKey } from '../../../core/mega/crypto';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { FaultSpecError, startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { call, cs, downloadUrl, encryptFile, fetchTree, freshId, getBytes, postChunk, rawLogin, rootOf, uploadFile, type RawSession } from './helpers';

/** GET with node:http so a connection cut mid-body is visible as an error after some bytes. */
function rawGet(url: string): Promise<{ status: number; bytes: number; error?: string; declared: number }> {
	return new Promise((resolve) => {
		const req = request(url, { agent: false }, (res) => {
			let bytes = 0;
			res.on('data', (chunk: Buffer) => (bytes += chunk.length));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, declared: Number(res.headers['content-length']) }));
			res.on('error', (error) => resolve({ status: res.statusCode ?? 0, bytes, error: error.message, declared: Number(res.headers['content-length']) }));
			res.on('close', () => resolve({ status: res.statusCode ?? 0, bytes, error: 'closed', declared: Number(res.headers['content-length']) }));
		});
		req.on('error', (error) => resolve({ status: 0, bytes: 0, error: error.message, declared: 0 }));
		req.end();
	});
}

describe('sandbox faults', () => {
	let sandbox: MegaSandbox;
	let session: RawSession;
	let root: string;
	let fileHandle: string;
	let fileData: Buffer;
	let fileKey: Buffer;
	const gw = (): string => sandbox.gateway;

	beforeAll(async () => {
		sandbox = await startMegaSandbox();
		await sandbox.createAccount({ email: 'faults@test.local', password: 'faults-password' });
		await sandbox.createAccount({ email: 'bystander@test.local', password: 'bystander-password' });
		session = await rawLogin(sandbox.gateway, 'faults@test.local', 'faults-password');
		root = rootOf(await fetchTree(sandbox.gateway, session), 2);
		fileData = randomBytes(400_000);
		const uploaded = await uploadFile(sandbox.gateway, session, root, 'fault-target.bin', fileData);
		fileHandle = uploaded.node.h;
		fileKey = uploaded.nodeKey;
	});
	afterEach(() => sandbox.faults.clear());
	afterAll(() => sandbox.close());

	const mkdirCommand = (): Record<string, unknown> => ({ a: 'p', t: root, n: [{ h: 'xxxxxxxx', t: 1, a: '', k: randomBytes(16).toString('base64url') }] });

	it('answers EAGAIN (-3) to the next N requests and applies none of them', async () => {
		const before = sandbox.nodeCount('faults@test.local');
		sandbox.faults.add({ kind: 'error', code: -3, endpoint: 'cs', count: 2 });
		expect((await cs(gw(), [mkdirCommand()], { sid: session.sid })).text).toBe('-3');
		expect((await cs(gw(), [mkdirCommand()], { sid: session.sid })).text).toBe('-3');
		expect(sandbox.nodeCount('faults@test.local')).toBe(before);
		expect(await call(gw(), mkdirCommand(), { sid: session.sid })).toMatchObject({ f: [expect.any(Object)] });
		expect(sandbox.nodeCount('faults@test.local')).toBe(before + 1);
		expect(sandbox.faults.list()).toEqual([]);
	});

	it('fires with probability p: 1 always, 0 never, 0.5 about half the time', async () => {
		const always = sandbox.faults.add({ kind: 'error', code: -3, endpoint: 'cs', probability: 1 });
		for (let i = 0; i < 5; i++) expect((await cs(gw(), [{ a: 'ug' }], { sid: session.sid })).text).toBe('-3');
		sandbox.faults.remove(always);
		sandbox.faults.add({ kind: 'error', code: -3, endpoint: 'cs', probability: 0 });
		for (let i = 0; i < 5; i++) expect((await cs(gw(), [{ a: 'ug' }], { sid: session.sid })).status).toBe(200);
		sandbox.faults.clear();
		sandbox.faults.add({ kind: 'error', code: -3, endpoint: 'cs', probability: 0.5 });
		let hits = 0;
		for (let i = 0; i < 200; i++) if ((await cs(gw(), [{ a: 'ug' }], { sid: session.sid })).text === '-3') hits++;
		expect(hits).toBeGreaterThan(50);
		expect(hits).toBeLessThan(150);
	});

	it('targets one command, one account, or answers per command ([-3]) with scope "command"', async () => {
		sandbox.faults.add({ kind: 'error', code: -4, command: 'p', count: 1 });
		expect(await call(gw(), { a: 'ug' }, { sid: session.sid })).toMatchObject({ u: session.userHandle });
		expect((await cs(gw(), [mkdirCommand()], { sid: session.sid })).text).toBe('-4');
		sandbox.faults.add({ kind: 'error', code: -3, scope: 'command', command: 'ug' });
		// Only the named command answers -3; the others in the batch are applied.
		const [busy, quota] = (await cs(gw(), [{ a: 'ug' }, { a: 'uq' }], { sid: session.sid })).json as unknown[];
		expect(busy).toBe(-3);
		expect(quota).toMatchObject({ mstrg: expect.any(Number) });
		sandbox.faults.add({ kind: 'error', code: -3, scope: 'command' });
		expect((await cs(gw(), [{ a: 'ug' }, { a: 'uq' }], { sid: session.sid })).json).toEqual([-3, -3]);
		const bystander = await rawLogin(gw(), 'bystander@test.local', 'bystander-password');
		sandbox.faults.add({ kind: 'error', code: -3, email: 'faults@test.local', count: 1 });
		expect(await call(gw(), { a: 'ug' }, { sid: bystander.sid })).toMatchObject({ u: bystander.userHandle });
		expect((await cs(gw(), [{ a: 'ug' }], { sid: session.sid })).text).toBe('-3');
	});

	it('answers HTTP 500 "Server Too Busy" and 503 with empty bodies', async () => {
		sandbox.faults.add({ kind: 'http', status: 500, endpoint: 'cs' });
		const res = await fetch(`${gw()}cs?id=${freshId()}&sid=${session.sid}`, { method: 'POST', body: '[{"a":"ug"}]' });
		expect(res.status).toBe(500);
		expect(res.statusText).toBe('Server Too Busy');
		expect(await res.text()).toBe('');
		const { g } = await downloadUrl(gw(), { n: fileHandle }, { sid: session.sid });
		sandbox.faults.add({ kind: 'http', status: 503, endpoint: 'download' });
		expect((await getBytes(`${g}/0-15`)).status).toBe(503);
		expect((await getBytes(`${g}/0-15`)).status).toBe(200);
	});

	it('drops a cs connection mid-body after applying it; the retry with the same id gets the cached reply, applied once', async () => {
		sandbox.resetCounters();
		const before = sandbox.nodeCount('faults@test.local');
		sandbox.faults.add({ kind: 'drop', endpoint: 'cs', command: 'p' });
		const id = freshId();
		const body = mkdirCommand();
		await expect(cs(gw(), [body], { sid: session.sid, id })).rejects.toThrow();
		expect(sandbox.nodeCount('faults@test.local')).toBe(before + 1);
		// The client resends the identical request (same id, same body) and gets the reply it lost.
		const again = await cs(gw(), [body], { sid: session.sid, id });
		expect(again.status).toBe(200);
		expect(again.json).toEqual([{ f: [expect.objectContaining({ t: 1, p: root })] }]);
		expect(sandbox.nodeCount('faults@test.local')).toBe(before + 1);
		expect(sandbox.counters()).toMatchObject({ faults: 1, replayed: 1, applied: { p: 1 }, commands: { p: 2 } });
	});

	it('replays a lost logout reply to its resend, while new requests on that sid get -15', async () => {
		const other = await rawLogin(gw(), 'faults@test.local', 'faults-password');
		sandbox.faults.add({ kind: 'drop', endpoint: 'cs', command: 'sml' });
		const id = freshId();
		await expect(cs(gw(), [{ a: 'sml' }], { sid: other.sid, id })).rejects.toThrow();
		expect((await cs(gw(), [{ a: 'sml' }], { sid: other.sid, id })).json).toEqual([0]);
		expect((await cs(gw(), [{ a: 'ug' }], { sid: other.sid })).json).toBe(-15);
	});

	it('replays a resent request id from the cache instead of applying it twice', async () => {
		sandbox.resetCounters();
		const before = sandbox.nodeCount('faults@test.local');
		const id = freshId();
		const body = mkdirCommand();
		const first = await cs(gw(), [body], { sid: session.sid, id });
		const second = await cs(gw(), [body], { sid: session.sid, id });
		expect(second.text).toBe(first.text);
		expect(sandbox.nodeCount('faults@test.local')).toBe(before + 1);
		expect(sandbox.counters()).toMatchObject({ replayed: 1, applied: { p: 1 }, commands: { p: 2 } });
		// Same id with a different body is a new request.
		const third = await cs(gw(), [mkdirCommand()], { sid: session.sid, id });
		expect(third.text).not.toBe(first.text);
		expect(sandbox.nodeCount('faults@test.local')).toBe(before + 2);
	});

	it('cuts download bodies: drop kills the connection mid-body, truncate sends a short but well-formed body', async () => {
		const { g } = await downloadUrl(gw(), { n: fileHandle }, { sid: session.sid });
		sandbox.faults.add({ kind: 'drop', endpoint: 'download', afterBytes: 1000 });
		const dropped = await rawGet(`${g}/0-131071`);
		expect(dropped.declared).toBe(131_072);
		expect(dropped.bytes).toBeGreaterThan(0);
		expect(dropped.bytes).toBeLessThan(131_072);
		sandbox.faults.add({ kind: 'truncate', keepBytes: 100 });
		const short = await getBytes(`${g}/0-131071`);
		expect(short.status).toBe(200);
		expect(short.body).toHaveLength(100);
		const full = await getBytes(`${g}/0-131071`);
		expect(full.body).toHaveLength(131_072);
		expect(short.body.equals(full.body.subarray(0, 100))).toBe(true);
	});

	it('flips one byte of a download body (the MAC check would fail)', async () => {
		const { g } = await downloadUrl(gw(), { n: fileHandle }, { sid: session.sid });
		sandbox.faults.add({ kind: 'flip', at: 77 });
		const flipped = await getBytes(g);
		const clean = await getBytes(g);
		const diff = [...flipped.body].map((byte, i) => (byte !== clean.body[i] ? i : -1)).filter((i) => i >= 0);
		expect(diff).toEqual([77]);
		const { key, nonce } = unpackNodeKey(fileKey);
		expect(ctrAt(key, nonce, 0, clean.body).equals(fileData)).toBe(true);
		expect(ctrAt(key, nonce, 0, flipped.body).equals(fileData)).toBe(false);
	});

	it('answers 509 with X-MEGA-Time-Left', async () => {
		const { g } = await downloadUrl(gw(), { n: fileHandle }, { sid: session.sid });
		sandbox.faults.add({ kind: 'quota509', timeLeft: 321 });
		const over = await getBytes(`${g}/0-15`);
		expect(over.status).toBe(509);
		expect(over.headers.get('x-mega-time-left')).toBe('321');
		expect(over.body).toHaveLength(0);
	});

	it('fails upload chunks with EAGAIN or -4 (nothing stored) and drops upload connections', async () => {
		const { ciphertext } = encryptFile(randomBytes(200_000));
		const { p } = await call<{ p: string }>(gw(), { a: 'u', s: ciphertext.length, v: 2 }, { sid: session.sid });
		sandbox.faults.add({ kind: 'error', code: -3, endpoint: 'upload', count: 1 });
		expect((await postChunk(p, 131_072, ciphertext.subarray(131_072))).body.toString()).toBe('-3');
		sandbox.faults.add({ kind: 'error', code: -4, endpoint: 'upload', count: 1 });
		expect((await postChunk(p, 0, ciphertext.subarray(0, 131_072))).body.toString()).toBe('-4');
		sandbox.faults.add({ kind: 'drop', endpoint: 'upload', afterBytes: 1000 });
		await expect(postChunk(p, 0, ciphertext.subarray(0, 131_072))).rejects.toThrow();
		expect((await postChunk(p, 0, ciphertext.subarray(0, 131_072))).body).toHaveLength(0);
		// The faulted second chunk was not stored: only its resend completes the file.
		expect((await postChunk(p, 131_072, ciphertext.subarray(131_072))).body).toHaveLength(36);
	});

	it('fails the sc channel and the wait URL on request', async () => {
		const { sn } = await fetchTree(gw(), session);
		sandbox.faults.add({ kind: 'error', code: -3, endpoint: 'sc', count: 1 });
		const poll = (): Promise<Response> => fetch(`${gw()}sc?sn=${sn}&sid=${session.sid}`, { method: 'POST' });
		expect(await (await poll()).text()).toBe('-3');
		const { w } = (await (await poll()).json()) as { w: string };
		sandbox.faults.add({ kind: 'http', status: 500, endpoint: 'wait', count: 1 });
		expect((await fetch(w, { method: 'POST' })).status).toBe(500);
	});

	it('adds latency per request and caps bandwidth per connection', async () => {
		sandbox.faults.add({ kind: 'latency', ms: 300, endpoint: 'cs' });
		let began = Date.now();
		await call(gw(), { a: 'ug' }, { sid: session.sid });
		expect(Date.now() - began).toBeGreaterThanOrEqual(290);
		sandbox.faults.clear();
		const { g } = await downloadUrl(gw(), { n: fileHandle }, { sid: session.sid });
		sandbox.faults.add({ kind: 'bandwidth', bytesPerSecond: 200_000, endpoint: 'download' });
		began = Date.now();
		const slow = await getBytes(`${g}/0-399999`);
		expect(slow.body).toHaveLength(400_000);
		expect(Date.now() - began).toBeGreaterThanOrEqual(1700);
		expect(sandbox.faults.list()).toEqual([expect.objectContaining({ kind: 'bandwidth', hits: 1 })]);
	});

	it('counts requests per endpoint', async () => {
		sandbox.resetCounters();
		await call(gw(), { a: 'ug' }, { sid: session.sid });
		const { g } = await downloadUrl(gw(), { n: fileHandle }, { sid: session.sid });
		await getBytes(`${g}/0-15`);
		const { sn } = await fetchTree(gw(), session);
		await fetch(`${gw()}sc?sn=${sn}&sid=${session.sid}`, { method: 'POST' }).then((r) => r.text());
		expect(sandbox.counters()).toMatchObject({ endpoints: { cs: 3, download: 1, sc: 1, upload: 0, wait: 0 }, commands: { ug: 1, g: 1, f: 1 } });
	});

	it('rejects malformed fault specs with a FaultSpecError', () => {
		expect(() => sandbox.faults.add({ kind: 'error', code: 3 })).toThrow(FaultSpecError);
		expect(() => sandbox.faults.add({ kind: 'truncate', endpoint: 'cs' })).toThrow(FaultSpecError);
		expect(() => sandbox.faults.add({ kind: 'error', code: -3, probability: 2 })).toThrow(FaultSpecError);
		expect(() => sandbox.faults.add({ kind: 'error', code: -3, count: 0 })).toThrow(FaultSpecError);
	});
});
