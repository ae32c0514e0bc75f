/**
 * MEGA Cloud node, Public Link resource: links made by another account, opened with an Anonymous credential (no
 * login for Get Info / Download / List) and imported into the test account. One describe per `publicLink.<operation>`.
 */
import { randomBytes } from 'node:crypto';

import type { MegaClient } from '../../../core/mega/client';
import { formatFolderLink } from '../../../core/mega/links';
import { megaClientFromCredentials } from '../../../nodes/shared';
import { byPath, type CloudEnv, finishCloudEnv, MIB, read, sha256, startCloudEnv } from './env';

let env: CloudEnv;
let owner: MegaClient;
let fileLink: string;
let folderLink: string;
let protectedLink: string;
const fileData = randomBytes(2 * MIB + 5);
const innerData = randomBytes(70_000);
const anonymous = () => ({ mode: 'anonymous', gateway: env.sandbox.gateway });
beforeAll(async () => {
	env = await startCloudEnv('links');
	await env.sandbox.createAccount({ email: 'owner@links.test', password: 'owner-password-secret', version: 2 });
	env.extraSecrets.push('owner-password-secret');
	owner = await megaClientFromCredentials({ mode: 'account', email: 'owner@links.test', password: 'owner-password-secret', gateway: env.sandbox.gateway });
	const file = await owner.upload({ name: 'shared.bin', source: fileData, size: fileData.length });
	fileLink = (await owner.createLink(file.handle)).url;
	protectedLink = (await owner.createLink(file.handle, { password: 'link pass' })).url;
	const folder = await owner.mkdir('/Public/docs');
	await owner.upload({ parent: folder.handle, name: 'inner.txt', source: innerData, size: innerData.length });
	await owner.upload({ parent: (await owner.info('/Public')).handle, name: 'top.txt', source: Buffer.from('top'), size: 3 });
	folderLink = (await owner.createLink('/Public')).url;
});
afterAll(async () => {
	await finishCloudEnv(env);
});

describe('publicLink.getInfo', () => {
	test('file and folder links with an anonymous credential; no login request is made', async () => {
		env.sandbox.resetCounters();
		const file = await env.runCloud({ resource: 'publicLink', operation: 'getInfo', url: fileLink }, { credential: anonymous() });
		expect(file.items[0].json).toEqual({ type: 'file', name: 'shared.bin', size: fileData.length, handle: expect.any(String), mimeType: 'application/octet-stream' });
		const folder = await env.runCloud({ resource: 'publicLink', operation: 'getInfo', url: folderLink }, { credential: anonymous() });
		expect(folder.items[0].json).toMatchObject({ type: 'folder', name: 'Public', size: innerData.length + 3, fileCount: 2, folderCount: 1 });
		const counters = env.sandbox.counters().commands;
		expect(counters.us ?? 0).toBe(0);
		expect(counters.up ?? 0).toBe(0);
		const protectedInfo = await env.runCloud({ resource: 'publicLink', operation: 'getInfo', url: protectedLink, options: { password: 'link pass' } });
		expect(protectedInfo.items[0].json).toMatchObject({ type: 'file', name: 'shared.bin' });
	});

	test('a wrong key, a malformed link and a removed link fail in plain words', async () => {
		const [base, key] = fileLink.split('#');
		// Flip a byte of the first half only: both halves are XORed into the AES key, so flipping both would cancel out.
		const wrongKey = `${base}#${Buffer.from(Buffer.from(key, 'base64url').map((byte, index) => (index === 0 ? byte ^ 1 : byte))).toString('base64url')}`;
		const cases: Array<[string, RegExp]> = [
			[wrongKey, /link key does not match this file/],
			['https://mega.nz/file/short#abc', /handle in the MEGA link is malformed/],
			['https://example.com/file/AbCd1234#x', /Not a MEGA link/],
		];
		for (const [url, message] of cases) {
			const failed = await env.runCloud({ resource: 'publicLink', operation: 'getInfo', url }, { credential: anonymous() }).catch((e: unknown) => e);
			expect([url, (failed as Error).message]).toEqual([url, expect.stringMatching(message)]);
		}
		const temp = await owner.upload({ name: 'temp.txt', source: Buffer.from('t'), size: 1 });
		const { url: tempLink } = await owner.createLink(temp.handle);
		await owner.removeLink(temp.handle);
		const removed = await env.runCloud({ resource: 'publicLink', operation: 'getInfo', url: tempLink }).catch((e: unknown) => e);
		expect((removed as Error).message).toMatch(/does not exist \(removed or mistyped\)/);
	});
});

describe('publicLink.download', () => {
	test('a file link streams into a filesystem-mode binary, byte-identical', async () => {
		const { items, after } = await env.runCloud({ resource: 'publicLink', operation: 'download', url: fileLink, binaryPropertyName: 'data' }, { credential: anonymous(), after: read() });
		expect(items[0].json).toMatchObject({ name: 'shared.bin', size: fileData.length, type: 'file' });
		expect(items[0].binary?.data.id).toMatch(/^filesystem-v2:/);
		expect(after[0].json).toMatchObject({ sha256: sha256(fileData), streamed: true });
	});

	test('a file inside a folder link, by path or by a /file/ link; a password-protected link with its password', async () => {
		const byFilePath = await env.runCloud({ resource: 'publicLink', operation: 'download', url: folderLink, binaryPropertyName: 'data', options: { filePath: 'docs/inner.txt' } }, { credential: anonymous(), after: read() });
		expect(byFilePath.after[0].json).toMatchObject({ sha256: sha256(innerData), fileName: 'inner.txt', mimeType: 'text/plain' });
		const folder = await owner.info('/Public');
		const inner = await owner.info('/Public/docs/inner.txt');
		const [, folderPart] = folderLink.split('/folder/');
		const [ph, key] = folderPart.split('#');
		const childLink = formatFolderLink(ph, Buffer.from(key, 'base64url'), { kind: 'file', handle: inner.handle });
		expect(folder.handle).not.toBe(inner.handle);
		const byChildLink = await env.runCloud({ resource: 'publicLink', operation: 'download', url: childLink, binaryPropertyName: 'data' }, { credential: anonymous(), after: read() });
		expect(byChildLink.after[0].json).toMatchObject({ sha256: sha256(innerData) });
		const withPassword = await env.runCloud({ resource: 'publicLink', operation: 'download', url: protectedLink, binaryPropertyName: 'data', options: { password: 'link pass' } }, { after: read() });
		expect(withPassword.after[0].json).toMatchObject({ sha256: sha256(fileData) });
	});

	test('a missing or wrong link password and a folder link without a file are input errors', async () => {
		const missing = await env.runCloud({ resource: 'publicLink', operation: 'download', url: protectedLink, binaryPropertyName: 'data' }).catch((e: unknown) => e);
		expect(missing).toMatchObject({ name: 'NodeOperationError', message: 'This MEGA link is password-protected', description: expect.stringMatching(/Link Password/) });
		const wrong = await env.runCloud({ resource: 'publicLink', operation: 'download', url: protectedLink, binaryPropertyName: 'data', options: { password: 'nope' } }).catch((e: unknown) => e);
		expect(wrong).toMatchObject({ name: 'NodeOperationError', message: 'Wrong password for this MEGA link (or the link was altered)' });
		expect((wrong as { failure?: unknown }).failure).toBeUndefined();
		const noFile = await env.runCloud({ resource: 'publicLink', operation: 'download', url: folderLink, binaryPropertyName: 'data' }).catch((e: unknown) => e);
		expect(noFile).toMatchObject({ name: 'NodeOperationError', message: 'This is a folder link: say which file to download' });
	});
});

describe('publicLink.list', () => {
	test('top level or everything, with a limit; paths start at the shared folder', async () => {
		const top = await env.runCloud({ resource: 'publicLink', operation: 'list', url: folderLink, returnAll: true }, { credential: anonymous() });
		expect(top.items.map((i) => [i.json.path, i.json.type])).toEqual([
			['/docs', 'folder'],
			['/top.txt', 'file'],
		]);
		const all = await env.runCloud({ resource: 'publicLink', operation: 'list', url: folderLink, returnAll: true, options: { recursive: true } }, { credential: anonymous() });
		expect(all.items.map((i) => i.json.path)).toEqual(['/docs', '/docs/inner.txt', '/top.txt']);
		const limited = await env.runCloud({ resource: 'publicLink', operation: 'list', url: folderLink, returnAll: false, limit: 1, options: { recursive: true } }, { credential: anonymous() });
		expect(limited.items).toHaveLength(1);
		const fileInstead = await env.runCloud({ resource: 'publicLink', operation: 'list', url: fileLink, returnAll: true }).catch((e: unknown) => e);
		expect((fileInstead as Error).message).toMatch(/file link/);
	});
});

describe('publicLink.import', () => {
	test('a file link and a folder link into a folder of the account', async () => {
		await env.client.mkdir('/Imported');
		const file = await env.runCloud({ resource: 'publicLink', operation: 'import', url: fileLink, destination: byPath('/Imported') });
		expect(file.items[0].json).toMatchObject({ name: 'shared.bin', path: '/Imported/shared.bin', size: fileData.length, type: 'file' });
		const folder = await env.runCloud({ resource: 'publicLink', operation: 'import', url: folderLink, destination: byPath('/Imported') });
		expect(folder.items[0].json).toMatchObject({ name: 'Public', path: '/Imported/Public', type: 'folder' });
		expect((await env.client.list('/Imported/Public', { recursive: true })).map((n) => n.path).sort()).toEqual([
			'/Imported/Public/docs',
			'/Imported/Public/docs/inner.txt',
			'/Imported/Public/top.txt',
		]);
	});
});
