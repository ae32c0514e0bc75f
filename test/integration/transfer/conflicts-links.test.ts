import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { MegaApiTransport } from '../../../core/mega/api/transport';
import { base64urlEncode, encryptKey } from '../../../core/mega/crypto';
import { decryptPasswordLink, encryptPasswordLink, parseMegaLink } from '../../../core/mega/links';
import { NameConflictError, openDownload, uploadFile, type NameConflictPolicy } from '../../../core/mega/transfer';
import { filesNamed, logIn, startTransferFixture, type TransferFixture } from './support/sandbox-session';

async function collect(stream: Readable): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

describe('name conflicts, links and anonymous uploads against the sandbox', () => {
	let fixture: TransferFixture;
	beforeAll(async () => {
		fixture = await startTransferFixture();
	});
	afterAll(async () => {
		await fixture.close();
	});

	async function uploadWithPolicy(name: string, data: Buffer, policy: NameConflictPolicy) {
		const existing = (await filesNamed(fixture, name)).map((handle) => ({ handle, name }));
		const siblings = (await fixture.sandbox.client(fixture.account.email).list())
			.filter((e) => e.parent === fixture.account.rootHandle)
			.map((e) => e.name);
		return uploadFile(fixture.session.api, {
			parentHandle: fixture.account.rootHandle,
			name,
			source: data,
			masterKey: fixture.session.masterKey,
			conflict: {
				policy,
				existing,
				siblingNames: siblings,
				moveToRubbish: async (handle) => {
					await fixture.session.api.request({ a: 'm', n: handle, t: fixture.account.rubbishHandle });
				},
			},
		});
	}

	it('keep both: a second file with a free name', async () => {
		const first = await uploadWithPolicy('both.txt', Buffer.from('one'), 'keepBoth');
		const second = await uploadWithPolicy('both.txt', Buffer.from('two'), 'keepBoth');
		expect([first.name, second.name]).toEqual(['both.txt', 'both (1).txt']);
		expect(second.outcome).toBe('created');
		expect(await filesNamed(fixture, 'both.txt')).toEqual([first.handle]);
		expect(await filesNamed(fixture, 'both (1).txt')).toEqual([second.handle]);
	});

	it('new version: the old file becomes a version of the new one (ov)', async () => {
		const first = await uploadWithPolicy('versioned.txt', Buffer.from('v1'), 'newVersion');
		const second = await uploadWithPolicy('versioned.txt', Buffer.from('v2'), 'newVersion');
		expect(second).toMatchObject({ outcome: 'versioned', previousHandle: first.handle });
		expect(await filesNamed(fixture, 'versioned.txt')).toEqual([second.handle]);
		expect(fixture.sandbox.getNode(first.handle)?.p).toBe(second.handle);
		const body = await collect(await openDownload(fixture.session.api, { source: { handle: second.handle }, key: second.nodeKey }));
		expect(body.toString()).toBe('v2');
	});

	it('replace: the old file goes to the rubbish bin once the new one exists', async () => {
		const first = await uploadWithPolicy('replaced.txt', Buffer.from('old'), 'replace');
		const second = await uploadWithPolicy('replaced.txt', Buffer.from('new'), 'replace');
		expect(second).toMatchObject({ outcome: 'replaced', previousHandle: first.handle });
		expect(await filesNamed(fixture, 'replaced.txt')).toEqual([second.handle]);
		expect(fixture.sandbox.getNode(first.handle)?.p).toBe(fixture.account.rubbishHandle);
	});

	it('skip: nothing is uploaded and the existing file is returned', async () => {
		const first = await uploadWithPolicy('skipped.txt', Buffer.from('keep me'), 'skip');
		fixture.sandbox.resetCounters();
		const second = await uploadWithPolicy('skipped.txt', Buffer.from('ignored'), 'skip');
		expect(second).toMatchObject({ outcome: 'skipped', handle: first.handle });
		expect(fixture.sandbox.counters().commands.u ?? 0).toBe(0);
		expect(await filesNamed(fixture, 'skipped.txt')).toEqual([first.handle]);
	});

	it('fail: a typed conflict error naming the existing handle, nothing uploaded', async () => {
		const first = await uploadWithPolicy('failing.txt', Buffer.from('x'), 'fail');
		fixture.sandbox.resetCounters();
		const error = await uploadWithPolicy('failing.txt', Buffer.from('y'), 'fail').catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NameConflictError);
		expect(error).toMatchObject({ code: 'EEXIST', cause: 'conflict', handles: [first.handle] });
		expect(fixture.sandbox.counters().commands.u ?? 0).toBe(0);
	});

	it('public file link and password-protected link download without a session', async () => {
		const data = randomBytes(700_001);
		const uploaded = await uploadFile(fixture.session.api, {
			parentHandle: fixture.account.rootHandle,
			name: 'shared.bin',
			source: data,
			masterKey: fixture.session.masterKey,
			exportLink: true,
		});
		const parsed = parseMegaLink(uploaded.link as string);
		if (parsed.kind !== 'file' || !parsed.key) throw new Error(`unexpected link ${parsed.kind}`);
		const anonymous = new MegaApiTransport({ gateway: fixture.sandbox.gateway });
		const viaLink = await openDownload(anonymous, { source: { publicHandle: parsed.handle }, key: parsed.key });
		expect(viaLink.name).toBe('shared.bin');
		expect((await collect(viaLink)).equals(data)).toBe(true);

		const protectedLink = await encryptPasswordLink({ kind: 'file', handle: parsed.handle, key: parsed.key }, 'open sesame');
		const opened = await decryptPasswordLink(protectedLink, 'open sesame');
		const viaPassword = await openDownload(anonymous, { source: { publicHandle: opened.handle }, key: opened.key });
		expect((await collect(viaPassword)).equals(data)).toBe(true);
	});

	it('a file inside a public folder link', async () => {
		const { api, masterKey } = fixture.session;
		const folder = await fixture.sandbox.client(fixture.account.email).mkdir('public-folder');
		const data = randomBytes(333_333);
		const uploaded = await uploadFile(api, { parentHandle: folder, name: 'inside.bin', source: data, masterKey });
		const shareKey = randomBytes(16);
		await api.request({
			a: 's2',
			n: folder,
			s: [{ u: 'EXP', r: 0 }],
			ok: base64urlEncode(encryptKey(masterKey, shareKey)),
			ha: base64urlEncode(encryptKey(masterKey, Buffer.from(folder + folder))),
			cr: [[folder], [uploaded.handle], [0, 0, base64urlEncode(encryptKey(shareKey, uploaded.nodeKey))]],
		});
		const folderHandle = await api.request<string>({ a: 'l', n: folder });
		const anonymous = new MegaApiTransport({ gateway: fixture.sandbox.gateway });
		const stream = await openDownload(anonymous, { source: { handle: uploaded.handle, folderHandle }, key: uploaded.nodeKey });
		expect((await collect(stream)).equals(data)).toBe(true);
	});

	it('anonymous (ephemeral account) upload returns a public link that opens', async () => {
		const ephemeral = await logIn(fixture.sandbox.gateway, { kind: 'ephemeral' });
		const { f } = await ephemeral.api.request<{ f: Array<{ h: string; t: number }> }>({ a: 'f', c: 1 });
		const root = f.find((node) => node.t === 2)?.h as string;
		const data = randomBytes(1_500_000);
		const uploaded = await uploadFile(ephemeral.api, { parentHandle: root, name: 'anon.bin', source: data, masterKey: ephemeral.masterKey, exportLink: true });
		expect(uploaded.link).toMatch(/^https:\/\/mega\.nz\/file\/[A-Za-z0-9_-]{8}#[A-Za-z0-9_-]{43}$/);
		const parsed = parseMegaLink(uploaded.link as string);
		if (parsed.kind !== 'file' || !parsed.key) throw new Error('not a file link');
		const stranger = new MegaApiTransport({ gateway: fixture.sandbox.gateway });
		const stream = await openDownload(stranger, { source: { publicHandle: parsed.handle }, key: parsed.key });
		expect((await collect(stream)).equals(data)).toBe(true);
	});
});
