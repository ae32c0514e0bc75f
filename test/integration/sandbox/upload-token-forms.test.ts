/**
 * The upload completion token's form depends on the `v` of the `u` request (issue 13, item 1): `v` >= 2 gives 36
 * binary bytes (ending in 0x01) that go to `p` as base64url; no `v` gives base64 text that goes to `p` verbatim.
 * mega.py and go-mega (rclone) ask without `v`; megajs, megatools and MEGA's SDK ask with it.
 */
import { randomBytes } from 'node:crypto';

import { MegaApiTransport } from '../../../core/mega/api/transport';
import { MegaClient, forgetLiveTrees } from '../../../core/mega/client';
import { chunkBoundaries, encryptAttributes, encryptKey } from '../../../core/mega/crypto';
import { clearSessionCache } from '../../../core/mega/session';
import { uploadFile, type TransferApi } from '../../../core/mega/transfer';
import { interpretReply } from '../../../core/mega/transfer/upload-engine';
import { TransferIntegrityError } from '../../../core/mega/transfer/errors';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { call, encryptFile, fetchTree, rawLogin, rootOf, type RawSession, type TreeNode } from './helpers';

let sandbox: MegaSandbox;
let session: RawSession;
let root: string;
const email = 'tokens@test.local';
const password = 'token-forms-password';

beforeAll(async () => {
	sandbox = await startMegaSandbox({ waitTimeoutMs: 1000 });
	await sandbox.createAccount({ email, password, version: 2 });
	session = await rawLogin(sandbox.gateway, email, password);
	root = rootOf(await fetchTree(sandbox.gateway, session), 2);
});
afterAll(async () => {
	forgetLiveTrees();
	clearSessionCache();
	await sandbox.close();
});

/**
 * A client written the way mega.py and go-mega upload: `u` with only `s` (no `v`), one POST per chunk in order, the
 * last reply's text is the completion handle, and `p` gets it back unchanged.
 */
async function uploadWithoutV(parent: string, name: string, data: Buffer): Promise<{ handle: string; lastReply: Buffer; putReply: unknown }> {
	const encrypted = encryptFile(data);
	const { p: url } = await call<{ p: string }>(sandbox.gateway, { a: 'u', s: data.length }, { sid: session.sid });
	const chunks = data.length === 0 ? [[0, 0] as [number, number]] : chunkBoundaries(data.length);
	let lastReply = Buffer.alloc(0);
	for (const [start, end] of chunks) {
		const res = await fetch(`${url}/${start}`, { method: 'POST', body: encrypted.ciphertext.subarray(start, end) });
		expect(res.status).toBe(200);
		lastReply = Buffer.from(await res.arrayBuffer());
	}
	const completionHandle = lastReply.toString('latin1');
	const node = {
		h: completionHandle,
		t: 0,
		a: encryptAttributes({ n: name }, encrypted.nodeKey).toString('base64url'),
		k: encryptKey(session.masterKey, encrypted.nodeKey).toString('base64url'),
	};
	const putReply = await call<{ f: TreeNode[] } | number>(sandbox.gateway, { a: 'p', t: parent, n: [node] }, { sid: session.sid });
	const handle = typeof putReply === 'number' ? '' : putReply.f[0].h;
	return { handle, lastReply, putReply };
}

async function downloadWithCore(handle: string): Promise<Buffer> {
	const client = await MegaClient.connect({ kind: 'password', email, password }, { gateway: sandbox.gateway });
	const stream = await client.download(handle);
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

describe('a client that asks for an upload URL without v (mega.py, go-mega)', () => {
	it.each([
		['0 bytes', 0],
		['one chunk', 1000],
		['several chunks', 700_003],
	])('gets a text token, p takes it verbatim, and the same bytes come back (%s)', async (_label, size) => {
		const data = randomBytes(size);
		const { handle, lastReply, putReply } = await uploadWithoutV(root, `no-v-${size}.bin`, data);
		// Base64 text of 27 bytes: 36 characters, never the 0x01-terminated binary form.
		expect(lastReply.toString('latin1')).toMatch(/^[A-Za-z0-9_-]{36}$/);
		expect(Buffer.from(lastReply.toString('latin1'), 'base64url')).toHaveLength(27);
		expect(putReply).toMatchObject({ f: [{ s: size, t: 0 }] });
		expect((await downloadWithCore(handle)).equals(data)).toBe(true);
	});

	it('accepts each form in p only as it was issued', async () => {
		// A text token re-encoded as if it were binary (what a client that ignores `v` would send) is refused.
		const encrypted = encryptFile(randomBytes(500));
		const { p: textUrl } = await call<{ p: string }>(sandbox.gateway, { a: 'u', s: 500 }, { sid: session.sid });
		const text = Buffer.from(await (await fetch(`${textUrl}/0`, { method: 'POST', body: encrypted.ciphertext })).arrayBuffer());
		const node = (h: string) => ({ h, t: 0, a: '', k: randomBytes(32).toString('base64url') });
		expect(await call(sandbox.gateway, { a: 'p', t: root, n: [node(text.toString('base64url'))] }, { sid: session.sid })).toBeLessThan(0);
		// A binary token (v: 2) sent as raw text is refused; sent as base64url it is taken.
		const { p: binaryUrl } = await call<{ p: string }>(sandbox.gateway, { a: 'u', s: 500, v: 2 }, { sid: session.sid });
		const binary = Buffer.from(await (await fetch(`${binaryUrl}/0`, { method: 'POST', body: encrypted.ciphertext })).arrayBuffer());
		expect(binary).toHaveLength(36);
		expect(binary[35]).toBe(0x01);
		expect(await call(sandbox.gateway, { a: 'p', t: root, n: [node(binary.toString('latin1'))] }, { sid: session.sid })).toBeLessThan(0);
		expect(await call(sandbox.gateway, { a: 'p', t: root, n: [node(binary.toString('base64url'))] }, { sid: session.sid })).toMatchObject({ f: [{ s: 500 }] });
		// The text token itself is still good (nothing above used it).
		expect(await call(sandbox.gateway, { a: 'p', t: root, n: [node(text.toString('latin1'))] }, { sid: session.sid })).toMatchObject({ f: [{ s: 500 }] });
	});
});

describe("the core's upload path", () => {
	it('asks with v: 2 and finishes with the base64url of the binary token', async () => {
		const sent: Array<Record<string, unknown>> = [];
		const { sid } = await MegaClient.connect({ kind: 'password', email, password }, { gateway: sandbox.gateway }).then((client) => ({ sid: client.api.sid }));
		const transport = new MegaApiTransport({ gateway: sandbox.gateway });
		transport.sid = sid;
		const recording: TransferApi = {
			request: (command, options) => {
				sent.push(command);
				return transport.request(command as Record<string, unknown> & { a: string }, options);
			},
		};
		const data = randomBytes(200_000);
		const result = await uploadFile(recording, { parentHandle: root, name: 'core-v2.bin', source: data, masterKey: session.masterKey });
		const u = sent.find((command) => command.a === 'u');
		expect(u).toMatchObject({ v: 2 });
		const p = sent.find((command) => command.a === 'p') as { n: Array<{ h: string }> };
		expect(Buffer.from(p.n[0].h, 'base64url')).toHaveLength(36);
		expect((await downloadWithCore(result.handle)).equals(data)).toBe(true);
	});
});

describe('the upload engine reads both token forms', () => {
	it('binary (36 bytes ending in 0x01) → base64url; text → verbatim; anything else → an integrity error, never a corrupt p', () => {
		const binary = randomBytes(36);
		binary[35] = 0x01;
		expect(interpretReply(200, undefined, binary, 0)).toBe(binary.toString('base64url'));
		const text = randomBytes(27).toString('base64url');
		expect(interpretReply(200, undefined, Buffer.from(text, 'latin1'), 0)).toBe(text);
		const notAToken = randomBytes(36);
		notAToken[35] = 0x02;
		notAToken[0] = 0x00;
		expect(() => interpretReply(200, undefined, notAToken, 0)).toThrow(TransferIntegrityError);
		expect(interpretReply(200, undefined, Buffer.alloc(0), 0)).toBeUndefined();
	});
});
