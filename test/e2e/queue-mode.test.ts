/**
 * e2e: n8n's queue mode (version: test/support/test-versions.ts, Node 24) with the packed package. The test starts
 * Debian's PostgreSQL and Redis (throwaway, 127.0.0.1, free ports), then `n8n start` with EXECUTIONS_MODE=queue and
 * one `n8n worker`, binary data in n8n's `database` mode (the one both processes reach; filesystem mode does not work
 * across machines). Then:
 * - a webhook upload (multipart file -> MEGA Cloud Upload -> Create Link, answered with the link) runs on the worker
 *   and the link downloads the same bytes through the core;
 * - a MEGA Trigger workflow polls every minute on main; a file added by a second client gives exactly one execution,
 *   run on the worker, holding that file's item, and the next poll adds none.
 *
 * Waiting: n8n's shortest poll interval is one minute (cron at second 0); activation polls once at once (records the
 * feed position). The file is added after that; the next tick fires it (<= 60 s plus the run), and the test then
 * waits one more tick to see no second execution: about two and a half minutes in all.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { MegaClient, openPublicDownload } from '../../index';
import { startMegaSandbox, type MegaSandboxServer } from '../../sandbox/mega';
import { freePort, queueModeEnv, spawnN8n, startPostgres, startRedis, type Postgres, type Redis, type Service } from './support/queue-mode';
import { createN8nHome, ensureRealN8n, N8N_VERSION, n8nCli, packThisPackage, type N8nHome, type RealN8n } from './support/real-n8n';

const run = promisify(execFile);
const MiB = 2 ** 20;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const CREDENTIAL = { id: 'queueMegaAcct001', name: 'MEGA sandbox (account)' };
const megaCredentials = { megaApi: CREDENTIAL };
const WEBHOOK_PATH = 'queue-mega-upload';

const webhookUpload = {
	id: 'queueWebhookUp01',
	name: 'Webhook upload to MEGA (queue mode)',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{ id: 'w1', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2.1, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'lastNode', options: {} } },
		{ id: 'w2', name: 'Upload', type: 'n8n-nodes-mega.megaCloud', typeVersion: 1, position: [200, 0], credentials: megaCredentials, parameters: { resource: 'file', operation: 'upload', binaryPropertyName: 'file', options: { onConflict: 'keepBoth' } } },
		{ id: 'w3', name: 'Create Link', type: 'n8n-nodes-mega.megaCloud', typeVersion: 1, position: [400, 0], credentials: megaCredentials, parameters: { resource: 'file', operation: 'createLink', file: { __rl: true, mode: 'id', value: '={{ $json.handle }}' } } },
	],
	connections: {
		Webhook: { main: [[{ node: 'Upload', type: 'main', index: 0 }]] },
		Upload: { main: [[{ node: 'Create Link', type: 'main', index: 0 }]] },
	},
};

const triggerWorkflow = {
	id: 'queueTriggerNew1',
	name: 'MEGA Trigger new files (queue mode)',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{ id: 't1', name: 'MEGA Trigger', type: 'n8n-nodes-mega.megaTrigger', typeVersion: 1, position: [0, 0], credentials: megaCredentials, parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, events: ['fileAdded'], options: {} } },
	],
	connections: {},
};

describe(`n8n ${N8N_VERSION} queue mode (PostgreSQL, Redis, one worker) with the packed package`, () => {
	let n8n: RealN8n;
	let mega: MegaSandboxServer;
	let postgres: Postgres;
	let redis: Redis;
	let home: N8nHome;
	let work: string;
	let main: Service;
	let worker: Service;
	let baseUrl: string;
	const account = { email: 'queue@sandbox.local', password: 'queue-sandbox-password' };

	const executions = async (workflowId: string) =>
		(await postgres.query(`SELECT id || ' ' || status FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id`))
			.split('\n')
			.filter(Boolean)
			.map((line) => {
				const [id, status] = line.split(' ');
				return { id, status };
			});
	const executionData = async (id: string) => postgres.query(`SELECT data FROM execution_data WHERE "executionId" = ${Number(id)}`);

	beforeAll(async () => {
		work = mkdtempSync(join(tmpdir(), 'mega-e2e-queue-'));
		[n8n, mega, postgres, redis] = await Promise.all([ensureRealN8n(), startMegaSandbox({ port: 0, waitTimeoutMs: 2_000 }), startPostgres(), startRedis()]);
		await mega.createAccount({ ...account, version: 2 });
		const tarball = await packThisPackage(work);
		const env = queueModeEnv(postgres, redis, randomBytes(24).toString('hex'));
		home = await createN8nHome(tarball, env);
		writeFileSync(join(work, 'credentials.json'), JSON.stringify([{ ...CREDENTIAL, type: 'megaApi', data: { mode: 'account', ...account, gateway: mega.gateway } }]), { mode: 0o600 });
		writeFileSync(join(work, 'workflows.json'), JSON.stringify([webhookUpload, triggerWorkflow]));
		for (const args of [
			['import:credentials', `--input=${join(work, 'credentials.json')}`],
			['import:workflow', `--input=${join(work, 'workflows.json')}`],
			['publish:workflow', `--id=${webhookUpload.id}`],
			['publish:workflow', `--id=${triggerWorkflow.id}`],
		]) {
			const result = await n8nCli(n8n, home, args);
			if (result.code !== 0) throw new Error(`n8n ${args[0]} exited ${result.code}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
		}
		// Each process also opens n8n's task broker (default port 5679): free ports, so another n8n on the machine does not clash.
		const [port, workerPort, mainBroker, workerBroker] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
		baseUrl = `http://127.0.0.1:${port}`;
		main = spawnN8n(n8n, home, ['start'], { N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_RUNNERS_BROKER_PORT: String(mainBroker) });
		worker = spawnN8n(n8n, home, ['worker', '--concurrency=2'], { QUEUE_HEALTH_CHECK_PORT: String(workerPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1', N8N_RUNNERS_BROKER_PORT: String(workerBroker) });
		await Promise.all([main.waitFor(/Editor is now accessible via/, 300_000), worker.waitFor(/n8n worker is now ready/, 300_000)]);
	}, 40 * 60_000);

	afterAll(async () => {
		await Promise.all([main?.stop(), worker?.stop()]);
		await Promise.all([postgres?.stop(), redis?.stop(), mega?.close()]);
		home?.remove();
		if (work) rmSync(work, { recursive: true, force: true });
	});

	/** Fails with both processes' output when the assertion does. */
	async function withLogs<T>(body: () => Promise<T>): Promise<T> {
		try {
			return await body();
		} catch (error) {
			(error as Error).message += `\n${main.tail()}\n${worker.tail()}`;
			throw error;
		}
	}

	// First: the webhook upload below adds a file the trigger (polling on main) would also report.
	it('fires the MEGA Trigger exactly once for a file another client adds, on the worker', async () => {
		await withLogs(async () => {
			// Activation (at main's start) polls once at once and records the feed position ({ sn, ts }) in the
			// workflow's static data; a file added after that is new.
			const recorded = Date.now() + 120_000;
			while (!(await postgres.query(`SELECT "staticData"::text FROM workflow_entity WHERE id = '${triggerWorkflow.id}'`)).includes('"sn"')) {
				if (Date.now() > recorded) throw new Error('the MEGA Trigger never recorded its feed position: its activation poll did not run');
				await new Promise((r) => setTimeout(r, 1_000));
			}
			expect(await executions(triggerWorkflow.id)).toEqual([]);

			const other = await MegaClient.connect({ kind: 'password', ...account }, { gateway: mega.gateway });
			const name = `added-by-another-client-${randomBytes(3).toString('hex')}.txt`;
			const body = Buffer.from('a file the trigger should see once\n');
			await other.upload({ parent: (await other.info('/')).handle, name, source: body, size: body.length });

			const deadline = Date.now() + 150_000;
			let seen = await executions(triggerWorkflow.id);
			while (seen.length === 0 && Date.now() < deadline) {
				await new Promise((r) => setTimeout(r, 2_000));
				seen = await executions(triggerWorkflow.id);
			}
			expect(seen).toHaveLength(1);
			await worker.waitFor(new RegExp(`Worker finished execution ${seen[0].id}\\b`), 60_000);
			seen = await executions(triggerWorkflow.id);
			expect(seen).toEqual([{ id: seen[0].id, status: 'success' }]);
			expect(await executionData(seen[0].id)).toContain(name);

			// One more minute tick: the same change must not fire again.
			await new Promise((r) => setTimeout(r, 65_000));
			expect(await executions(triggerWorkflow.id)).toHaveLength(1);
		});
	});
	it('runs a webhook upload on the worker; the link it answers downloads the same bytes', async () => {
		await withLogs(async () => {
			const input = randomBytes(8 * MiB + 5);
			writeFileSync(join(work, 'upload.bin'), input);
			const workerLogStart = worker.log.length;
			const { stdout } = await run('curl', ['-sS', '--fail-with-body', '-F', `file=@${join(work, 'upload.bin')};type=application/octet-stream`, `${baseUrl}/webhook/${WEBHOOK_PATH}`], {
				maxBuffer: 16 * MiB,
				timeout: 300_000,
			});
			const answer = JSON.parse(stdout) as { name?: string; size?: number; link?: string };
			expect(answer).toMatchObject({ name: 'upload.bin', size: input.length, link: expect.stringMatching(/^https:\/\/mega\.nz\/file\//) });

			const [execution] = await executions(webhookUpload.id);
			expect(execution).toEqual({ id: expect.any(String), status: 'success' });
			await worker.waitFor(new RegExp(`Worker finished execution ${execution.id}\\b`), 30_000, workerLogStart);

			const download = await openPublicDownload(answer.link!, { gateway: mega.gateway });
			const hash = createHash('sha256');
			await pipeline(download, hash);
			expect(hash.digest('hex')).toBe(sha256(input));
		});
	});

});
