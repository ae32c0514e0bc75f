/**
 * e2e: a real n8n (version: test/support/test-versions.ts, Node 24) with this package installed from its packed
 * tarball (`npm install --omit=dev` into the user folder's `.n8n/nodes`), against both sandboxes:
 * - `n8n import:credentials` (megaApi Account + Session String, megaS4Api) and `n8n import:workflow` of `examples/`;
 * - `n8n execute` of the MEGA Cloud example (Account and Session modes) and the S4 example, filesystem binary mode;
 * - under `n8n start`, over n8n's REST API: the credential-test endpoint, a webhook upload of 20 MiB (curl, multipart)
 *   answered with a MEGA link that downloads the same bytes through the core, and the MEGA Trigger firing on a file
 *   another client adds.
 *
 * The trigger: n8n's shortest poll interval is one minute ("Every Minute", cron at second 0), and activation runs
 * one poll at once (it records the feed position). The test adds the file after that and waits for the next
 * minute tick: 60 s at most plus the run, bounded at 150 s. The webhook upload before it is this n8n's own change,
 * which the trigger's loop guard (on by default) leaves out.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { MegaClient, openPublicDownload } from '../../index';
import { startMegaSandbox, type MegaSandboxServer } from '../../sandbox/mega';
import { megaS4CredentialFor, startS3Sandbox, type S3Sandbox } from '../../sandbox/s3';
import { activateWorkflow, getExecutionRun, listExecutions, nodeItems, startN8nServer, type N8nServer } from './support/n8n-server';
import { createN8nHome, ensureRealN8n, N8N_VERSION, n8nCli, packThisPackage, parseRunOutput, type N8nHome, type RealN8n } from './support/real-n8n';
import { CREDENTIALS, EXAMPLES, importCredentials, importWorkflows, readExample, withMegaCredential, type SandboxCredentialData } from './support/sandbox-n8n';

const run = promisify(execFile);
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const MiB = 2 ** 20;

async function sha256OfStream(stream: Readable): Promise<string> {
	const hash = createHash('sha256');
	await pipeline(stream, hash);
	return hash.digest('hex');
}

interface RawRun {
	status?: string;
	data?: { resultData?: { error?: unknown; runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, { id?: string; fileSize?: string; fileName?: string }> }>> } }>> } };
}

const outputOf = (runJson: RawRun, nodeName: string) => runJson.data?.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[0] ?? [];

describe(`n8n ${N8N_VERSION} (Node 24): MEGA Cloud, MEGA Trigger and MEGA S4 from the packed package`, () => {
	let n8n: RealN8n;
	let s3: S3Sandbox;
	let mega: MegaSandboxServer;
	let home: N8nHome;
	let work: string;
	let credentialData: SandboxCredentialData;
	const account = { email: 'e2e@sandbox.local', password: 'e2e-sandbox-password' };

	beforeAll(async () => {
		work = mkdtempSync(join(tmpdir(), 'mega-e2e-'));
		[n8n, s3, mega] = await Promise.all([ensureRealN8n(), startS3Sandbox(), startMegaSandbox({ waitTimeoutMs: 2_000 })]);
		await mega.createAccount({ ...account, version: 2 });
		const sessionClient = await MegaClient.connect({ kind: 'password', ...account }, { gateway: mega.gateway });
		credentialData = { gateway: mega.gateway, ...account, sessionToken: sessionClient.exportSession(), s4: megaS4CredentialFor(s3) };
		const tarball = await packThisPackage(work);
		home = await createN8nHome(tarball, { N8N_RESTRICT_FILE_ACCESS_TO: work });
		await importCredentials(n8n, home, credentialData);
		const cloud = readExample(EXAMPLES.cloudRoundTrip);
		await importWorkflows(n8n, home, [
			cloud,
			withMegaCredential(cloud, 'megaCloudSession', 'MEGA Cloud round trip (session string)', CREDENTIALS.megaSession),
			readExample(EXAMPLES.s4RoundTrip),
			readExample(EXAMPLES.webhookUpload),
			readExample(EXAMPLES.triggerNewFiles),
		]);
	}, 40 * 60_000);

	afterAll(async () => {
		await Promise.all([s3?.stop(), mega?.close()]);
		home?.remove();
		if (work) rmSync(work, { recursive: true, force: true });
	});

	it('installs with runtime dependencies only and declares the three nodes and two credentials', () => {
		const installed = join(home.userFolder, '.n8n', 'nodes', 'node_modules');
		const pkg = JSON.parse(readFileSync(join(installed, 'n8n-nodes-mega', 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
		expect(pkg.n8n.nodes.map((file) => file.replace(/^.*\//, ''))).toEqual(['MegaCloud.node.js', 'MegaS4.node.js', 'MegaTrigger.node.js']);
		expect(pkg.n8n.credentials.map((file) => file.replace(/^.*\//, ''))).toEqual(['MegaApi.credentials.js', 'MegaS4Api.credentials.js']);
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(existsSync(join(installed, 'n8n-nodes-mega', file))).toBe(true);
		// devDependencies of ours never reach a user's install.
		expect(readdirSync(installed).filter((name) => ['megajs', 'jest', 'n8n-core', 'typescript', 'nock'].includes(name))).toEqual([]);
	});

	async function execute(workflowId: string): Promise<RawRun> {
		const executed = await n8nCli(n8n, home, ['execute', `--id=${workflowId}`, '--rawOutput']);
		if (executed.code !== 0) throw new Error(`n8n execute exited ${executed.code}:\n${executed.stdout.slice(-3000)}\n${executed.stderr.slice(-3000)}`);
		const runJson = parseRunOutput(executed.stdout) as RawRun;
		expect({ status: runJson.status, error: runJson.data?.resultData?.error }).toEqual({ status: 'success', error: undefined });
		return runJson;
	}

	const reportText = (file: string) => {
		const assignment = readExample(file).nodes.find((node) => node.name === 'Make Report')?.parameters.assignments as { assignments: Array<{ value: string }> };
		return assignment.assignments[0].value;
	};

	it.each([
		['Account', 'megaCloudExample'],
		['Session String', 'megaCloudSession'],
	])('MEGA Cloud example (%s credential): upload, list, link, download, verify; binaries on disk', async (_mode, workflowId) => {
		const text = reportText(EXAMPLES.cloudRoundTrip);
		const runJson = await execute(workflowId);
		const [uploaded] = outputOf(runJson, 'Upload');
		expect(uploaded.json).toMatchObject({ type: 'file', size: Buffer.byteLength(text), outcome: 'created', path: expect.stringMatching(/^\/n8n examples\/report( \(\d+\))?\.txt$/) });
		expect(outputOf(runJson, 'List Folder').map((i) => i.json.handle)).toContain(uploaded.json.handle);
		const [linked] = outputOf(runJson, 'Create Link');
		expect(linked.json).toMatchObject({ handle: uploaded.json.handle, link: expect.stringMatching(/^https:\/\/mega\.nz\/file\//) });
		const [downloaded] = outputOf(runJson, 'Download');
		expect(downloaded.json).toMatchObject({ handle: uploaded.json.handle, size: Buffer.byteLength(text) });
		expect(downloaded.binary?.data.id).toMatch(/^filesystem-v2:/);
		expect(outputOf(runJson, 'Verify')[0].json.sha256).toBe(sha256(text));
		// The link opens the same bytes through the core, without logging in.
		expect(await sha256OfStream(await openPublicDownload(linked.json.link as string, { gateway: mega.gateway }))).toBe(sha256(text));
	});

	it('MEGA S4 example: upload, list, presign, download, verify; binaries on disk', async () => {
		const text = reportText(EXAMPLES.s4RoundTrip);
		const runJson = await execute('megaS4Example001');
		expect(outputOf(runJson, 'List Objects').map((i) => i.json.key)).toContain('2026/report.txt');
		const [presigned] = outputOf(runJson, 'Presign');
		const url = String(presigned.json.url ?? presigned.json.presignedUrl);
		const fetched = await fetch(url);
		expect(fetched.status).toBe(200);
		expect(sha256(Buffer.from(await fetched.arrayBuffer()))).toBe(sha256(text));
		expect(outputOf(runJson, 'Download')[0].binary?.data.id).toMatch(/^filesystem-v2:/);
		expect(outputOf(runJson, 'Verify')[0].json.sha256).toBe(sha256(text));
	});

	describe('under n8n start', () => {
		let server: N8nServer;

		beforeAll(async () => {
			server = await startN8nServer(n8n, home);
		}, 5 * 60_000);

		afterAll(async () => {
			await server?.stop();
		});

		// As the editor's credential dialog does: the saved credential's id, and the data as edited in the dialog.
		const testCredential = (saved: { id: string; name: string }, type: string, data: Record<string, unknown>) =>
			server.rest<{ status: string; message: string }>('POST', '/credentials/test', { credentials: { ...saved, type, data } });

		it("n8n's credential test passes for megaApi (Account, Session String) and megaS4Api", async () => {
			const account = await testCredential(CREDENTIALS.megaAccount, 'megaApi', { mode: 'account', email: credentialData.email, password: credentialData.password, gateway: credentialData.gateway });
			expect(account.status).toBe('OK');
			const session = await testCredential(CREDENTIALS.megaSession, 'megaApi', { mode: 'session', sessionToken: credentialData.sessionToken, gateway: credentialData.gateway });
			expect(session.status).toBe('OK');
			const s4 = await testCredential(CREDENTIALS.megaS4, 'megaS4Api', credentialData.s4);
			expect(s4.status).toBe('OK');
		});

		it("n8n's credential test fails a wrong password or secret key in plain words, quoting no secret", async () => {
			const wrongPassword = 'not-the-password-123';
			const mega = await testCredential(CREDENTIALS.megaAccount, 'megaApi', { mode: 'account', email: credentialData.email, password: wrongPassword, gateway: credentialData.gateway });
			expect(mega).toEqual({ status: 'Error', message: expect.stringContaining('Wrong email or password for MEGA') });
			expect(mega.message).not.toContain(wrongPassword);
			const wrongSecret = 'not-the-secret-key-0000000000000000000000';
			const s4 = await testCredential(CREDENTIALS.megaS4, 'megaS4Api', { ...credentialData.s4, secretAccessKey: wrongSecret });
			expect(s4).toEqual({ status: 'Error', message: expect.stringContaining('the secret key does not match the access key') });
			expect(s4.message).not.toContain(wrongSecret);
		});

		it('webhook upload: a 20 MiB multipart POST (curl) is answered with a MEGA link that downloads the same bytes', async () => {
			await activateWorkflow(server, 'megaCloudWebhook');
			const data = randomBytes(20 * MiB);
			writeFileSync(join(work, 'scan.bin'), data);
			const { stdout } = await run(
				'curl',
				['--silent', '--show-error', '--fail-with-body', '--max-time', '300', '-F', `file=@${join(work, 'scan.bin')};filename=scan.bin`, `${server.url}/webhook/mega-upload`],
				{ maxBuffer: 4 * MiB },
			);
			const reply = JSON.parse(stdout) as { name: string; size: number; link: string };
			expect(reply).toMatchObject({ name: 'scan.bin', size: data.length, link: expect.stringMatching(/^https:\/\/mega\.nz\/file\//) });
			expect(await sha256OfStream(await openPublicDownload(reply.link, { gateway: mega.gateway }))).toBe(sha256(data));
		});

		it('MEGA Trigger: a file another client adds starts an execution with that file as its item (next minute tick)', async () => {
			await activateWorkflow(server, 'megaTriggerExmpl');
			const before = new Set((await listExecutions(server, 'megaTriggerExmpl')).map((e) => e.id));
			const other = await MegaClient.connect({ kind: 'password', ...account }, { gateway: mega.gateway });
			const content = randomBytes(64 * 1024);
			await other.upload({ parent: '/', name: 'from-another-client.bin', source: () => Readable.from([content]), size: content.length });

			const deadline = Date.now() + 150_000;
			let found: { id: string; status: string } | undefined;
			while (!found && Date.now() < deadline) {
				await new Promise((r) => setTimeout(r, 5_000));
				found = (await listExecutions(server, 'megaTriggerExmpl')).find((e) => !before.has(e.id) && e.status !== 'running' && e.status !== 'new');
			}
			if (!found) throw new Error(`no MEGA Trigger execution within 150 s of adding the file\n${server.log().slice(-3000)}`);
			expect(found.status).toBe('success');
			const runData = await getExecutionRun(server, n8n, found.id);
			expect(nodeItems(runData, 'MEGA Trigger')).toEqual([expect.objectContaining({ name: 'from-another-client.bin', size: content.length })]);
			expect(nodeItems(runData, 'Download')).toEqual([expect.objectContaining({ name: 'from-another-client.bin' })]);
		}, 4 * 60_000);
	});
});
