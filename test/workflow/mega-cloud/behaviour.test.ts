/**
 * What n8n users expect of the MEGA Cloud node beyond single operations: webhook uploads shared as links, sessions
 * and the tree reused across executions, continue-on-fail, paired items, credential failures in plain words,
 * cancellation mid-upload, and no secret in any output or error.
 */
import { randomBytes } from 'node:crypto';

import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';
import { MegaApi } from '../../../credentials/MegaApi.credentials';
import { openPublicDownload } from '../../../core/mega/client';
import { binaryDataService, runWorkflow, withBinaryMode } from '../harness';
import { byPath, type CloudEnv, finishCloudEnv, main, make, MIB, nodeTypes, readAll, sha256, startCloudEnv } from './env';

let env: CloudEnv;
beforeAll(async () => {
	env = await startCloudEnv('behaviour');
});
afterAll(async () => {
	await finishCloudEnv(env);
});
afterEach(() => {
	env.sandbox.faults.clear();
});

/** An item as n8n's Webhook node emits it for a multipart/form-data POST with a file field "file" (filesystem mode). */
async function webhookItem(data: Buffer, fileName: string, mimeType: string): Promise<INodeExecutionData> {
	const service = await binaryDataService();
	const binary = await withBinaryMode('filesystem', async () =>
		await service.store({ type: 'execution', workflowId: 'harnessWorkflow', executionId: 'webhook' }, data, {
			data: '',
			mimeType,
			fileName,
			fileExtension: fileName.split('.').pop(),
		} as IBinaryData),
	);
	return {
		json: {
			headers: { host: 'localhost:5678', 'content-type': 'multipart/form-data; boundary=----n8n', 'content-length': String(data.length + 200) },
			params: {},
			query: {},
			body: { title: 'Quarterly report' },
			webhookUrl: 'http://localhost:5678/webhook/upload',
			executionMode: 'production',
		},
		binary: { file: binary },
	};
}

describe('webhook upload → Upload → Create Link', () => {
	test('the share link opens the same bytes', async () => {
		const data = randomBytes(3 * MIB + 17);
		const input = [await webhookItem(data, 'q1.pdf', 'application/pdf')];
		expect(input[0].binary?.file.id).toMatch(/^filesystem-v2:/);
		await env.client.mkdir('/Inbox');
		const result = await runWorkflow({
			nodes: [
				{ name: 'Webhook Data', type: 'n8n-nodes-mega.megaCloud', parameters: { resource: 'account', operation: 'getInfo' }, disabled: true },
				{
					name: 'Upload',
					type: 'n8n-nodes-mega.megaCloud',
					parameters: { resource: 'file', operation: 'upload', binaryPropertyName: 'file', folder: byPath('/Inbox'), fileName: '={{ $json.body.title }}.pdf' },
				},
				{ name: 'Share', type: 'n8n-nodes-mega.megaCloud', parameters: { resource: 'file', operation: 'createLink', file: { __rl: true, mode: 'id', value: '={{ $json.handle }}' } } },
			],
			connections: { Upload: main('Share') },
			startNode: 'Upload',
			input,
			nodeTypes,
			credentials: { megaApi: env.credential },
			credentialTypes: [new MegaApi()],
		});
		env.recorded.push(JSON.stringify(result.run.data.resultData));
		expect(result.error).toBeUndefined();
		const uploaded = result.output('Upload')[0].json;
		expect(uploaded).toMatchObject({ name: 'Quarterly report.pdf', path: '/Inbox/Quarterly report.pdf', size: data.length });
		const shared = result.output('Share')[0];
		expect(shared.pairedItem).toEqual({ item: 0 });
		expect(shared.json).toMatchObject({ handle: uploaded.handle, link: expect.stringMatching(/^https:\/\/mega\.nz\/file\//) });
		expect(sha256(await readAll(await openPublicDownload(shared.json.link as string, { gateway: env.sandbox.gateway })))).toBe(sha256(data));
	});
});

describe('sessions and the tree are reused', () => {
	test('three executions of a two-item workflow log in once and fetch the tree once', async () => {
		await env.sandbox.createAccount({ email: 'reuse@workflow.test', password: 'reuse-password-secret', version: 2 });
		env.extraSecrets.push('reuse-password-secret');
		const credential = { mode: 'account', email: 'reuse@workflow.test', password: 'reuse-password-secret', gateway: env.sandbox.gateway };
		env.sandbox.resetCounters();
		for (let execution = 0; execution < 3; execution++) {
			const { items } = await env.runCloud(
				{ resource: 'folder', operation: 'create', name: `={{ "run${execution}-" + $json.n }}` },
				{ credential, input: [{ json: { n: 'a' } }, { json: { n: 'b' } }] },
			);
			expect(items.map((i) => i.json.name)).toEqual([`run${execution}-a`, `run${execution}-b`]);
			await env.runCloud({ resource: 'folder', operation: 'getAll', returnAll: true }, { credential });
		}
		const commands = env.sandbox.counters().commands;
		expect(commands.us).toBe(1);
		expect(commands.f).toBe(1);
		expect(commands.p).toBe(6);
	});
});

describe('continue on fail and paired items', () => {
	test('a failing item becomes an { error } item paired with its input; the others carry on', async () => {
		const folder = await env.client.mkdir('/Pairs');
		for (const name of ['one.txt', 'three.txt']) await env.client.upload({ parent: folder.handle, name, source: Buffer.from(name), size: name.length });
		const input = ['/Pairs/one.txt', '/Pairs/two.txt', '/Pairs/three.txt'].map((path) => ({ json: { path } }));
		const { items } = await env.runCloud({ resource: 'file', operation: 'get', file: { __rl: true, mode: 'path', value: '={{ $json.path }}' } }, { input, onError: 'continueRegularOutput' });
		expect(items).toHaveLength(3);
		expect(items[0]).toMatchObject({ json: { name: 'one.txt' }, pairedItem: { item: 0 } });
		expect(items[1]).toEqual({ json: { error: '"/Pairs/two.txt" does not exist in MEGA', description: expect.stringMatching(/case-sensitive/) }, pairedItem: { item: 1 } });
		expect(items[2]).toMatchObject({ json: { name: 'three.txt' }, pairedItem: { item: 2 } });
	});

	test('many items in, every output item paired with the item it came from', async () => {
		const input = ['a', 'b', 'c'].map((name) => ({ json: { name }, binary: { data: { data: Buffer.from(name.repeat(10)).toString('base64'), mimeType: 'text/plain', fileName: `${name}.txt` } } }));
		await env.client.mkdir('/Multi');
		const uploaded = await env.runCloud({ resource: 'file', operation: 'upload', binaryPropertyName: 'data', folder: byPath('/Multi') }, { input, binaryMode: 'memory' });
		// Three in-memory binaries, one hint for the node run.
		expect((uploaded.result.run.data.resultData.runData.MEGA[0].hints ?? []).filter((hint) => /N8N_DEFAULT_BINARY_DATA_MODE/.test(hint.message))).toHaveLength(1);
		expect(uploaded.items.map((i) => [i.json.name, i.pairedItem])).toEqual([
			['a.txt', { item: 0 }],
			['b.txt', { item: 1 }],
			['c.txt', { item: 2 }],
		]);
		await env.client.mkdir('/Multi/sub');
		const listed = await env.runCloud({ resource: 'folder', operation: 'getAll', folder: { __rl: true, mode: 'path', value: '={{ $json.folder }}' }, returnAll: true }, { input: [{ json: { folder: '/Multi' } }, { json: { folder: '/Multi/sub' } }, { json: { folder: '/Multi' } }] });
		expect(listed.items.map((i) => (i.pairedItem as { item: number }).item)).toEqual([0, 0, 0, 0, 2, 2, 2, 2]);
	});
});

describe('credential failures', () => {
	test('a wrong password and a missing 2FA secret fail with the fix and the credential-invalid cause', async () => {
		const totpSecret = 'KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ';
		env.extraSecrets.push(totpSecret);
		await env.sandbox.createAccount({ email: 'mfa@workflow.test', password: 'mfa-password-secret', version: 2, totpSecret });
		env.extraSecrets.push('mfa-password-secret');
		const twoFactor = { mode: 'account', email: 'mfa@workflow.test', password: 'mfa-password-secret', gateway: env.sandbox.gateway };
		const missing = await env.runCloud({ resource: 'account', operation: 'getInfo' }, { credential: twoFactor }).catch((e: unknown) => e);
		expect(missing).toMatchObject({
			name: 'NodeApiError',
			message: 'This MEGA account has two-factor authentication: a 2FA code is required',
			description: expect.stringMatching(/TOTP secret/),
			failure: { cause: 'credential-invalid' },
		});
		const wrong = await env.runCloud({ resource: 'account', operation: 'getInfo' }, { credential: { ...env.credential, password: 'wrong-password-secret' } }).catch((e: unknown) => e);
		expect(wrong).toMatchObject({ message: 'Wrong email or password for MEGA', failure: { cause: 'credential-invalid' } });
		const withSecret = await env.runCloud({ resource: 'account', operation: 'getInfo' }, { credential: { ...twoFactor, totpSecret } });
		expect(withSecret.items[0].json).toMatchObject({ email: 'mfa@workflow.test' });
	});
});

describe('quota', () => {
	test('an upload over the storage quota fails with the quota-exhausted cause and a fix', async () => {
		await env.sandbox.createAccount({ email: 'full@workflow.test', password: 'full-password-secret', version: 2, storageBytes: 1000 });
		env.extraSecrets.push('full-password-secret');
		const credential = { mode: 'account', email: 'full@workflow.test', password: 'full-password-secret', gateway: env.sandbox.gateway };
		const failed = await env.runCloud({ resource: 'file', operation: 'upload', binaryPropertyName: 'data' }, { credential, before: [make(64 * 1024, 'too-big.bin')] }).catch((e: unknown) => e);
		expect(failed).toMatchObject({ name: 'NodeApiError', message: expect.stringMatching(/quota/i), description: expect.stringMatching(/Free up space/), failure: { cause: 'quota-exhausted' } });
	});
});

describe('cancellation', () => {
	test('an execution cancelled mid-upload stops sending and leaves no file behind', async () => {
		const folder = await env.client.mkdir('/Cancelled');
		env.sandbox.faults.add({ kind: 'bandwidth', bytesPerSecond: 2 * MIB, endpoint: 'upload' });
		env.sandbox.resetCounters();
		const controller = new AbortController();
		const watcher = setInterval(() => {
			if (env.sandbox.counters().endpoints.upload > 0) controller.abort();
		}, 20);
		const { result } = await env.runCloud(
			{ resource: 'file', operation: 'upload', binaryPropertyName: 'data', folder: byPath('/Cancelled') },
			{ before: [make(24 * MIB, 'big.bin')], cancelSignal: controller.signal, allowError: true },
		).finally(() => clearInterval(watcher));
		expect(controller.signal.aborted).toBe(true);
		expect(result.run.status).toBe('canceled');
		expect(result.run.data.resultData.runData.MEGA?.[0]?.data).toBeUndefined();
		// POSTs already on the wire when the cancel came may still arrive; after that, nothing new is sent.
		await new Promise((resolve) => setTimeout(resolve, 300));
		const postsAfterCancel = env.sandbox.counters().endpoints.upload;
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(env.sandbox.counters().endpoints.upload).toBe(postsAfterCancel);
		// A whole upload of 24 MiB needs at least 12 POSTs (2 MiB first requests); the cancelled one stopped far earlier.
		expect(postsAfterCancel).toBeLessThan(12);
		expect(env.sandbox.counters().applied.p ?? 0).toBe(0);
		env.sandbox.faults.clear();
		expect(await env.client.list(folder.handle)).toEqual([]);
	});
});

describe('the secrets check', () => {
	test('would catch a password, the session id or the master key in any recorded run', () => {
		const data = env.client.session.data;
		for (const leak of [env.password, data.sid, data.masterKey.toString('base64url')]) {
			env.recorded.push(JSON.stringify({ json: { note: `leaked ${leak}` } }));
			expect(() => env.assertNoSecrets()).toThrow('leaked a secret');
			env.recorded.pop();
		}
		expect(() => env.assertNoSecrets()).not.toThrow();
	});
});
