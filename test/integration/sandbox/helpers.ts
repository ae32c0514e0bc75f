import {
	chunkBoundaries,
	ctrAt,
	decryptAttributes,
	decryptKey,
	decryptSessionId,
	deriveKeyV1,
	deriveKeyV2,
	encryptAttributes,
	encryptKey,
	metaMac,
	packNodeKey,
	unwrapPrivateKey,
	userHashV1,
} from '../../../core/mega/crypto';
import { randomBytes } from 'node:crypto';

/** A tiny raw MEGA client for the sandbox's own tests: plain fetch, one request per call, nothing hidden. */
export interface RawReply {
	status: number;
	headers: Headers;
	text: string;
	json: unknown;
}

let nextId = Math.floor(Math.random() * 1e9);

export function freshId(): string {
	return String(nextId++);
}

export async function cs(gateway: string, commands: unknown[], opts: { sid?: string; id?: string; n?: string; v?: number; headers?: Record<string, string> } = {}): Promise<RawReply> {
	const query = new URLSearchParams({ id: opts.id ?? freshId() });
	if (opts.sid) query.set('sid', opts.sid);
	if (opts.n) query.set('n', opts.n);
	if (opts.v !== undefined) query.set('v', String(opts.v));
	const res = await fetch(`${gateway}cs?${query}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...opts.headers }, body: JSON.stringify(commands) });
	const text = await res.text();
	let json: unknown;
	try {
		json = text === '' ? undefined : JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

/** One command; returns its reply element (a negative number for a per-command error, or the request-level number). */
export async function call<T = unknown>(gateway: string, command: Record<string, unknown>, opts: { sid?: string; id?: string; n?: string; v?: number } = {}): Promise<T> {
	const reply = await cs(gateway, [command], opts);
	if (reply.status !== 200) throw new Error(`HTTP ${reply.status}`);
	return (Array.isArray(reply.json) ? reply.json[0] : reply.json) as T;
}

export interface RawSession {
	sid: string;
	masterKey: Buffer;
	userHandle: string;
	sidBytes: Buffer;
}

export async function passwordHash(gateway: string, email: string, password: string): Promise<{ uh: string; passwordKey: Buffer }> {
	const pre = await call<{ v: number; s?: string }>(gateway, { a: 'us0', user: email });
	if (pre.v === 2) {
		const derived = deriveKeyV2(password, Buffer.from(pre.s as string, 'base64url'));
		return { uh: derived.userHash, passwordKey: derived.passwordKey };
	}
	const passwordKey = deriveKeyV1(password);
	return { uh: userHashV1(email, passwordKey), passwordKey };
}

export async function rawLogin(gateway: string, email: string, password: string, mfa?: string): Promise<RawSession> {
	const { uh, passwordKey } = await passwordHash(gateway, email, password);
	const command: Record<string, unknown> = { a: 'us', user: email, uh };
	if (mfa) command.mfa = mfa;
	const reply = await call<{ k: string; privk: string; csid: string; u: string } | number>(gateway, command);
	if (typeof reply === 'number') throw new Error(`login failed: ${reply}`);
	const masterKey = decryptKey(passwordKey, Buffer.from(reply.k, 'base64url'));
	const privateKey = unwrapPrivateKey(masterKey, Buffer.from(reply.privk, 'base64url'));
	const sidBytes = decryptSessionId(privateKey, Buffer.from(reply.csid, 'base64url'));
	return { sid: sidBytes.toString('base64url'), sidBytes, masterKey, userHandle: reply.u };
}

export interface TreeNode {
	h: string;
	p: string;
	u: string;
	t: number;
	a: string;
	k?: string;
	s?: number;
	ts: number;
}

export interface FetchReply {
	f: TreeNode[];
	f2?: TreeNode[];
	ok: Array<{ h: string; ha: string; k: string }>;
	s: unknown[];
	ph?: Array<{ h: string; ph: string }>;
	u: unknown[];
	sn: string;
}

export async function fetchTree(gateway: string, session: RawSession): Promise<FetchReply> {
	return call<FetchReply>(gateway, { a: 'f', c: 1 }, { sid: session.sid });
}

export function rootOf(tree: FetchReply, type: 2 | 3 | 4): string {
	const root = tree.f.find((node) => node.t === type);
	if (!root) throw new Error(`no root of type ${type}`);
	return root.h;
}

export function ownKey(node: TreeNode, session: RawSession): Buffer {
	const entry = (node.k ?? '').split('/').find((part) => part.startsWith(`${session.userHandle}:`));
	if (!entry) throw new Error('no own key');
	return decryptKey(session.masterKey, Buffer.from(entry.split(':')[1], 'base64url'));
}

export function nameOf(node: TreeNode, key: Buffer): string {
	return String(decryptAttributes(Buffer.from(node.a, 'base64url'), key).n);
}

export async function mkdir(gateway: string, session: RawSession, parent: string, name: string, extra: Record<string, unknown> = {}): Promise<{ node: TreeNode; key: Buffer }> {
	const key = randomBytes(16);
	const reply = await call<{ f: TreeNode[] } | number>(
		gateway,
		{ a: 'p', t: parent, n: [{ h: 'xxxxxxxx', t: 1, a: encryptAttributes({ n: name }, key).toString('base64url'), k: encryptKey(session.masterKey, key).toString('base64url') }], ...extra },
		{ sid: session.sid },
	);
	if (typeof reply === 'number') throw new Error(`mkdir failed: ${reply}`);
	return { node: reply.f[0], key };
}

export interface Encrypted {
	key: Buffer;
	nonce: Buffer;
	nodeKey: Buffer;
	ciphertext: Buffer;
}

export function encryptFile(data: Buffer): Encrypted {
	const key = randomBytes(16);
	const nonce = randomBytes(8);
	return { key, nonce, nodeKey: packNodeKey(key, nonce, metaMac(key, nonce, data)), ciphertext: ctrAt(key, nonce, 0, data) };
}

export async function postChunk(url: string, offset: number, body: Buffer): Promise<{ status: number; body: Buffer }> {
	const res = await fetch(`${url}/${offset}`, { method: 'POST', body });
	return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** Uploads ciphertext chunk by chunk (in the given order, all at once) and returns the completion token. */
export async function uploadCiphertext(gateway: string, session: RawSession, ciphertext: Buffer, order: 'forward' | 'reverse' = 'forward'): Promise<{ token: string; replies: Array<{ offset: number; body: Buffer }> }> {
	const reply = await call<{ p: string } | number>(gateway, { a: 'u', s: ciphertext.length, ssl: 0, v: 2 }, { sid: session.sid });
	if (typeof reply === 'number') throw new Error(`u failed: ${reply}`);
	const chunks = ciphertext.length === 0 ? [[0, 0] as [number, number]] : chunkBoundaries(ciphertext.length);
	if (order === 'reverse') chunks.reverse();
	const replies = await Promise.all(
		chunks.map(async ([start, end]) => {
			const result = await postChunk(reply.p, start, ciphertext.subarray(start, end));
			if (result.status !== 200) throw new Error(`chunk HTTP ${result.status}`);
			return { offset: start, body: result.body };
		}),
	);
	const tokens = replies.filter((r) => r.body.length === 36);
	if (tokens.length !== 1) throw new Error(`expected one completion token, got ${tokens.length}`);
	return { token: tokens[0].body.toString('base64url'), replies };
}

export async function uploadFile(gateway: string, session: RawSession, parent: string, name: string, data: Buffer, extra: Record<string, unknown> = {}, nodeExtra: Record<string, unknown> = {}): Promise<{ node: TreeNode; nodeKey: Buffer }> {
	const encrypted = encryptFile(data);
	const { token } = await uploadCiphertext(gateway, session, encrypted.ciphertext);
	const reply = await call<{ f: TreeNode[] } | number>(
		gateway,
		{ a: 'p', t: parent, n: [{ h: token, t: 0, a: encryptAttributes({ n: name }, encrypted.nodeKey).toString('base64url'), k: encryptKey(session.masterKey, encrypted.nodeKey).toString('base64url'), ...nodeExtra }], ...extra },
		{ sid: session.sid },
	);
	if (typeof reply === 'number') throw new Error(`p failed: ${reply}`);
	return { node: reply.f[0], nodeKey: encrypted.nodeKey };
}

export async function downloadUrl(gateway: string, command: Record<string, unknown>, opts: { sid?: string; n?: string } = {}): Promise<{ g: string; s: number; at: string }> {
	const reply = await call<{ g: string; s: number; at: string } | number>(gateway, { ...command, a: 'g', g: 1, ssl: 0 }, opts);
	if (typeof reply === 'number') throw new Error(`g failed: ${reply}`);
	return reply;
}

export async function getBytes(url: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
	const res = await fetch(url);
	return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

export async function poll(gateway: string, session: RawSession, sn: string): Promise<{ a?: Array<Record<string, unknown>>; sn?: string; w?: string } | number> {
	const res = await fetch(`${gateway}sc?${new URLSearchParams({ sn, ssl: '0', sid: session.sid })}`, { method: 'POST' });
	return (await res.json()) as { a?: Array<Record<string, unknown>>; sn?: string; w?: string } | number;
}
