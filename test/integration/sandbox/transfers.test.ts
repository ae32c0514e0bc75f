import { chunkBoundaries, ctrAt, metaMac, unpackNodeKey } from '../../../core/mega/crypto';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { call, downloadUrl, encryptFile, getBytes, postChunk, rawLogin, uploadCiphertext, uploadFile, fetchTree, rootOf, type RawSession } from './helpers';

describe('sandbox upload and download URLs', () => {
	let sandbox: MegaSandbox;
	let session: RawSession;
	let root: string;

	beforeAll(async () => {
		sandbox = await startMegaSandbox();
		await sandbox.createAccount({ email: 'files@test.local', password: 'files-password' });
		session = await rawLogin(sandbox.gateway, 'files@test.local', 'files-password');
		root = rootOf(await fetchTree(sandbox.gateway, session), 2);
	});
	afterAll(() => sandbox.close());

	it('accepts chunks out of order and concurrently: empty bodies, then a 36-byte token ending in 0x01', async () => {
		const data = randomBytes(3 * 1024 * 1024 + 11);
		const { ciphertext } = encryptFile(data);
		const { token, replies } = await uploadCiphertext(sandbox.gateway, session, ciphertext, 'reverse');
		expect(replies).toHaveLength(chunkBoundaries(data.length).length);
		const raw = Buffer.from(token, 'base64url');
		expect(raw).toHaveLength(36);
		expect(raw[35]).toBe(0x01);
		expect(replies.filter((r) => r.body.length === 0)).toHaveLength(replies.length - 1);
	});

	it('accepts one POST that covers several whole chunks and the tail', async () => {
		const data = randomBytes(700_000);
		const { ciphertext } = encryptFile(data);
		const { p } = await call<{ p: string }>(sandbox.gateway, { a: 'u', s: data.length, ssl: 2, v: 2 }, { sid: session.sid });
		expect((await postChunk(p, 0, ciphertext.subarray(0, 393_216))).body).toHaveLength(0);
		expect((await postChunk(p, 393_216, ciphertext.subarray(393_216))).body).toHaveLength(36);
	});

	it('rejects misaligned offsets and bodies that end inside a chunk with -7', async () => {
		const { p } = await call<{ p: string }>(sandbox.gateway, { a: 'u', s: 1_000_000, v: 2 }, { sid: session.sid });
		expect((await postChunk(p, 1000, randomBytes(1000))).body.toString()).toBe('-7');
		expect((await postChunk(p, 0, randomBytes(1000))).body.toString()).toBe('-7');
		expect((await postChunk(p, 131_072, randomBytes(262_144 + 16))).body.toString()).toBe('-7');
		expect((await postChunk(p, 2_000_000, randomBytes(16))).body.toString()).toBe('-7');
	});

	it('answers "0" for an intermediate chunk only in the d= dialect and checks its checksum (-14 on mismatch)', async () => {
		const body = randomBytes(131_072);
		const sum = Buffer.alloc(12);
		body.forEach((byte, i) => (sum[i % 12] ^= byte));
		const { p } = await call<{ p: string }>(sandbox.gateway, { a: 'u', s: 300_000, v: 2 }, { sid: session.sid });
		const ok = await fetch(`${p}/0?d=${sum.toString('base64url')}`, { method: 'POST', body });
		expect(await ok.text()).toBe('0');
		const bad = await fetch(`${p}/0?d=${Buffer.alloc(12).toString('base64url')}`, { method: 'POST', body });
		expect(await bad.text()).toBe('-14');
	});

	it('takes a 0-byte upload as one empty POST to /0', async () => {
		const { p } = await call<{ p: string }>(sandbox.gateway, { a: 'u', s: 0, v: 2 }, { sid: session.sid });
		const reply = await postChunk(p, 0, Buffer.alloc(0));
		expect(reply.body).toHaveLength(36);
		const put = await call<{ f: Array<{ s: number }> }>(sandbox.gateway, { a: 'p', t: root, n: [{ h: reply.body.toString('base64url'), t: 0, a: '', k: randomBytes(32).toString('base64url') }] }, { sid: session.sid });
		expect(put.f[0].s).toBe(0);
	});

	it('ties the completion token to one p: a second use gets -9', async () => {
		const { ciphertext } = encryptFile(randomBytes(100));
		const { token } = await uploadCiphertext(sandbox.gateway, session, ciphertext);
		const node = { h: token, t: 0, a: '', k: randomBytes(32).toString('base64url') };
		const first = await call<{ f: Array<{ s: number }> }>(sandbox.gateway, { a: 'p', t: root, n: [node] }, { sid: session.sid });
		expect(first.f[0].s).toBe(100);
		expect(await call(sandbox.gateway, { a: 'p', t: root, n: [node] }, { sid: session.sid })).toBe(-9);
		const twice = await uploadCiphertext(sandbox.gateway, session, encryptFile(randomBytes(10)).ciphertext);
		const doubled = { ...node, h: twice.token };
		expect(await call(sandbox.gateway, { a: 'p', t: root, n: [doubled, doubled] }, { sid: session.sid })).toBe(-2);
		expect(await call(sandbox.gateway, { a: 'p', t: root, n: [doubled] }, { sid: session.sid })).toMatchObject({ f: [{ s: 10 }] });
	});

	it('serves GET {g}/{start}-{end} (inclusive) with status 200, and the whole file without a range', async () => {
		const data = randomBytes(1_500_000);
		const { node, nodeKey } = await uploadFile(sandbox.gateway, session, root, 'ranges.bin', data);
		const { g, s } = await downloadUrl(sandbox.gateway, { n: node.h }, { sid: session.sid });
		expect(s).toBe(data.length);
		const { key, nonce, metaMac: mac } = unpackNodeKey(nodeKey);
		const whole = await getBytes(g);
		expect(whole.status).toBe(200);
		expect(metaMac(key, nonce, ctrAt(key, nonce, 0, whole.body)).equals(mac)).toBe(true);
		const part = await getBytes(`${g}/131072-262143`);
		expect(part.status).toBe(200);
		expect(part.body).toHaveLength(131_072);
		expect(ctrAt(key, nonce, 131_072, part.body).equals(data.subarray(131_072, 262_144))).toBe(true);
		const tail = await getBytes(`${g}/1499990-1499999`);
		expect(ctrAt(key, nonce, 1_499_990, tail.body).equals(data.subarray(1_499_990))).toBe(true);
		expect((await getBytes(`${g}/1500000-1500010`)).status).toBe(416);
	});

	it('counts transfer use in uq and answers 509 with X-MEGA-Time-Left once the transfer quota is used up', async () => {
		await sandbox.createAccount({ email: 'xfer@test.local', password: 'xfer-password' });
		const xfer = await rawLogin(sandbox.gateway, 'xfer@test.local', 'xfer-password');
		const xroot = rootOf(await fetchTree(sandbox.gateway, xfer), 2);
		const { node } = await uploadFile(sandbox.gateway, xfer, xroot, 'quota.bin', randomBytes(1000));
		sandbox.setQuota('xfer@test.local', { transferBytes: 1500, transferResetSeconds: 1234 });
		const { g } = await downloadUrl(sandbox.gateway, { n: node.h }, { sid: xfer.sid });
		expect((await getBytes(g)).status).toBe(200);
		const quota = await call<{ caxfer: number; mxfer: number }>(sandbox.gateway, { a: 'uq', strg: 1, xfer: 1 }, { sid: xfer.sid });
		expect(quota).toMatchObject({ caxfer: 1000, mxfer: 1500 });
		const over = await getBytes(g);
		expect(over.status).toBe(509);
		expect(over.headers.get('x-mega-time-left')).toBe('1234');
	});
});

describe('sandbox --data-dir blob store', () => {
	let sandbox: MegaSandbox;
	let session: RawSession;
	let root: string;
	let dataDir: string;

	beforeAll(async () => {
		dataDir = mkdtempSync(join(tmpdir(), 'mega-sandbox-disk-'));
		sandbox = await startMegaSandbox({ dataDir });
		await sandbox.createAccount({ email: 'disk@test.local', password: 'disk-password' });
		session = await rawLogin(sandbox.gateway, 'disk@test.local', 'disk-password');
		root = rootOf(await fetchTree(sandbox.gateway, session), 2);
	});
	afterAll(async () => {
		await sandbox.close();
		rmSync(dataDir, { recursive: true, force: true });
	});

	it('writes chunks that arrive out of order into one file on disk and serves ranges from it', async () => {
		const data = randomBytes(6 * 1024 * 1024 + 5);
		const encrypted = encryptFile(data);
		const { token } = await uploadCiphertext(sandbox.gateway, session, encrypted.ciphertext, 'reverse');
		const blobs = readdirSync(join(dataDir, 'blobs'));
		expect(blobs).toHaveLength(1);
		expect(readFileSync(join(dataDir, 'blobs', blobs[0])).equals(encrypted.ciphertext)).toBe(true);
		const put = await call<{ f: Array<{ h: string }> }>(sandbox.gateway, { a: 'p', t: root, n: [{ h: token, t: 0, a: '', k: randomBytes(32).toString('base64url') }] }, { sid: session.sid });
		const { g } = await downloadUrl(sandbox.gateway, { n: put.f[0].h }, { sid: session.sid });
		const middle = await getBytes(`${g}/4718592-5767167`);
		expect(middle.body.equals(encrypted.ciphertext.subarray(4_718_592, 5_767_168))).toBe(true);
		expect(ctrAt(encrypted.key, encrypted.nonce, 4_718_592, middle.body).equals(data.subarray(4_718_592, 5_767_168))).toBe(true);
		// Deleting the only node that points at the blob removes its file.
		expect(await call(sandbox.gateway, { a: 'd', n: put.f[0].h }, { sid: session.sid })).toBe(0);
		expect(readdirSync(join(dataDir, 'blobs'))).toEqual([]);
	});
});
