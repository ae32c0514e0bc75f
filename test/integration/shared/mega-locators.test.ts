/**
 * nodes/shared/mega-locators against the MEGA sandbox: the folder/file pickers resolve every mode (From List,
 * By Path, By URL, By ID, a plain expression string), refuse wrong kinds and bad input as input errors, and the
 * list searches page through the tree.
 */
import { mock } from 'jest-mock-extended';
import type { ICredentialDataDecryptedObject, ILoadOptionsFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forgetLiveTrees } from '../../../core/mega/client';
import { clearSessionCache } from '../../../core/mega/session';
import { megaClientFromCredentials, resolveMegaLocator, searchMegaFiles, searchMegaFolders, toNodeError } from '../../../nodes/shared';
import type { MegaSandbox } from '../../../sandbox/mega';
import { useMegaSandbox } from '../../support/mega-sandbox';

let sandbox: MegaSandbox;
let counter = 0;

useMegaSandbox((started) => {
	sandbox = started;
});
afterEach(() => {
	clearSessionCache();
	forgetLiveTrees();
});

async function account(): Promise<ICredentialDataDecryptedObject> {
	counter += 1;
	const email = `locators${counter}@client.test`;
	const password = `secret-password-${counter}`;
	await sandbox.createAccount({ email, password, version: 2 });
	return { mode: 'account', email, password, gateway: sandbox.gateway };
}

function loadOptionsContext(credentials: ICredentialDataDecryptedObject): ILoadOptionsFunctions {
	const ctx = mock<ILoadOptionsFunctions>();
	ctx.getCredentials.mockResolvedValue(credentials);
	ctx.getNode.mockReturnValue({ name: 'MEGA Cloud', type: 'n8n-nodes-mega.megaCloud', typeVersion: 1, parameters: {} } as unknown as INode);
	return ctx;
}

describe('locators', () => {
	test('From List / By Path / By URL / By ID resolve to the node; wrong kinds and bad input are input errors', async () => {
		const credentials = await account();
		const client = await megaClientFromCredentials(credentials);
		const reports = await client.mkdir('/Documents/Reports');
		const file = await client.upload({ parent: reports.handle, name: 'q1.txt', source: Buffer.from('q1'), size: 2 });
		const { url: folderLink } = await client.createLink(reports.handle);
		const { url: fileLink } = await client.createLink(file.handle);

		const folderValues = [
			{ __rl: true, mode: 'list', value: reports.handle },
			{ __rl: true, mode: 'id', value: reports.handle },
			{ __rl: true, mode: 'path', value: '/Documents/Reports' },
			{ __rl: true, mode: 'url', value: folderLink },
			{ __rl: true, mode: 'url', value: `https://mega.nz/fm/${reports.handle}` },
			'/Documents/Reports',
			reports.handle,
		];
		for (const value of folderValues) expect((await resolveMegaLocator(client, value, 'folder')).handle).toBe(reports.handle);
		expect((await resolveMegaLocator(client, { __rl: true, mode: 'url', value: fileLink }, 'file')).handle).toBe(file.handle);
		expect((await resolveMegaLocator(client, { __rl: true, mode: 'list', value: '' }, 'folder', { emptyMeansRoot: true })).type).toBe('root');

		const failures: Array<[unknown, 'folder' | 'file', RegExp]> = [
			[{ __rl: true, mode: 'list', value: '' }, 'folder', /No folder chosen in "Folder"/],
			[{ __rl: true, mode: 'id', value: 'short' }, 'folder', /"short" is not a MEGA handle/],
			[{ __rl: true, mode: 'path', value: '/Documents/Reports/q1.txt' }, 'folder', /is a file, but "Folder" needs a folder/],
			[{ __rl: true, mode: 'path', value: '/Documents' }, 'file', /is a folder, but "File" needs a file/],
			[{ __rl: true, mode: 'path', value: 'Documents' }, 'folder', /must start with \//],
			[{ __rl: true, mode: 'url', value: 'https://example.com/x' }, 'folder', /is not a MEGA address/],
		];
		for (const [value, kind, message] of failures) {
			const error = await resolveMegaLocator(client, value, kind).catch((e: unknown) => e);
			expect((error as Error).message).toMatch(message);
			expect(toNodeError({ name: 'MEGA Cloud' } as INode, error, 0)).toBeInstanceOf(NodeOperationError);
		}
		const missing = await resolveMegaLocator(client, { __rl: true, mode: 'path', value: '/Nope' }, 'folder').catch((e: unknown) => e);
		expect(missing).toMatchObject({ message: '"/Nope" does not exist in MEGA', cause: 'not-found' });
		await client.removeLink(reports.handle);
		const removed = await resolveMegaLocator(client, { __rl: true, mode: 'url', value: folderLink }, 'folder').catch((e: unknown) => e);
		expect((removed as Error).message).toMatch(/not a link of this account/);
	});

	test('listSearch: folders and files by path, filtered, 100 per page with a pagination token', async () => {
		const credentials = await account();
		const client = await megaClientFromCredentials(credentials);
		const parent = await client.mkdir('/Many');
		for (let i = 0; i < 120; i++) await client.mkdir(`f${String(i).padStart(3, '0')}`, { parent: parent.handle });
		await client.upload({ parent: parent.handle, name: 'note.txt', source: Buffer.from('n'), size: 1 });
		const ctx = loadOptionsContext(credentials);
		const first = await searchMegaFolders.call(ctx);
		expect(first.results).toHaveLength(100);
		expect(first.results[0]).toEqual({ name: '/ (Cloud Drive)', value: expect.stringMatching(/^[A-Za-z0-9_-]{8}$/), url: expect.stringMatching(/^https:\/\/mega\.nz\/fm\//) });
		expect(first.results[1]).toMatchObject({ name: '/Many', value: parent.handle });
		expect(first.paginationToken).toBe('100');
		const second = await searchMegaFolders.call(ctx, undefined, first.paginationToken);
		expect(second.results).toHaveLength(22);
		expect(second.paginationToken).toBeUndefined();
		const filtered = await searchMegaFolders.call(ctx, 'F11');
		expect(filtered.results.map((r) => r.name)).toEqual(Array.from({ length: 10 }, (_, i) => `/Many/f11${i}`));
		expect((await searchMegaFiles.call(ctx)).results).toEqual([{ name: '/Many/note.txt', value: expect.any(String), url: expect.any(String) }]);
	}, 60_000);
});
