/**
 * e2e: n8n 1.x (version: test/e2e/n8n1/package.json) on the Node that runs the tests (20) loads this package from
 * its packed tarball and runs a MEGA Cloud round trip (folder, upload, list, link, download, hash) against the MEGA
 * sandbox and a MEGA S4 round trip (bucket, upload, list, presign, download, hash) against the S3 sandbox, with 1.x's
 * default binary mode (in memory) and its legacy expression engine.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMegaSandbox, type MegaSandboxServer } from '../../sandbox/mega';
import { megaS4CredentialFor, startS3Sandbox, type S3Sandbox } from '../../sandbox/s3';
import { ensureN8n1, N8N1_ENV, N8N1_VERSION } from './support/n8n1';
import { createN8nHome, listInstalledPackages, n8nCli, packThisPackage, parseRunOutput, type N8nHome, type RealN8n } from './support/real-n8n';

const REPORT = 'Quarterly report: 42 widgets sold, 7 returned.\n';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface RunJson {
	status?: string;
	data?: { resultData?: { error?: { message?: string }; runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }>> } }>> } };
}
const outputOf = (run: RunJson, node: string) => (run.data?.resultData?.runData?.[node]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);

const CREDENTIALS = {
	mega: { id: 'n8n1MegaAccount1', name: 'MEGA sandbox (account)' },
	s4: { id: 'n8n1MegaS4Sandbx', name: 'MEGA S4 sandbox' },
};

type Node = { name: string; type: string; typeVersion: number; parameters: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> };

/** A linear workflow: each node feeds the next. */
function chain(id: string, name: string, nodes: Node[]) {
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: nodes.map((node, i) => ({ id: `${id}-${i}`, position: [i * 200, 0], ...node })),
		connections: Object.fromEntries(nodes.slice(0, -1).map((node, i) => [node.name, { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] }])),
	};
}

const start: Node = { name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} };
const makeReport: Node = {
	name: 'Make Report',
	type: 'n8n-nodes-base.set',
	typeVersion: 3.4,
	parameters: { assignments: { assignments: [{ id: 'report', name: 'text', value: REPORT, type: 'string' }] }, options: {} },
};
const toFile: Node = { name: 'To File', type: 'n8n-nodes-base.convertToFile', typeVersion: 1.1, parameters: { operation: 'toText', sourceProperty: 'text', options: { fileName: 'report.txt' } } };
const verify: Node = {
	name: 'Verify',
	type: 'n8n-nodes-base.crypto',
	typeVersion: 2,
	parameters: { action: 'hash', type: 'SHA256', binaryData: true, binaryPropertyName: 'data', dataPropertyName: 'sha256', encoding: 'hex' },
};

const mega = (name: string, parameters: Record<string, unknown>): Node => ({ name, type: 'n8n-nodes-mega.megaCloud', typeVersion: 1, parameters, credentials: { megaApi: CREDENTIALS.mega } });
const s4 = (name: string, parameters: Record<string, unknown>): Node => ({ name, type: 'n8n-nodes-mega.megaS4', typeVersion: 1, parameters, credentials: { megaS4Api: CREDENTIALS.s4 } });
const uploaded = { __rl: true, mode: 'id', value: "={{ $('Upload').first().json.handle }}" };
const folder = { __rl: true, mode: 'path', value: '/n8n1 examples' };
const bucket = { __rl: true, mode: 'name', value: 'n8n1-examples' };

const cloudRoundTrip = chain('n8n1CloudRound01', 'MEGA Cloud round trip (n8n 1.x)', [
	start,
	mega('Create Folder', { resource: 'folder', operation: 'create', name: 'n8n1 examples' }),
	makeReport,
	toFile,
	mega('Upload', { resource: 'file', operation: 'upload', binaryPropertyName: 'data', folder, options: { onConflict: 'keepBoth' } }),
	mega('List Folder', { resource: 'folder', operation: 'getAll', folder, returnAll: true, options: {} }),
	mega('Create Link', { resource: 'file', operation: 'createLink', file: uploaded }),
	mega('Download', { resource: 'file', operation: 'download', file: uploaded, binaryPropertyName: 'data', options: {} }),
	verify,
]);

const s4RoundTrip = chain('n8n1S4RoundTrp01', 'MEGA S4 round trip (n8n 1.x)', [
	start,
	s4('Create Bucket', { resource: 'bucket', operation: 'create', bucketName: 'n8n1-examples' }),
	makeReport,
	toFile,
	s4('Upload', { resource: 'object', operation: 'upload', bucket, key: '2026/report.txt', binaryPropertyName: 'data' }),
	s4('List Objects', { resource: 'object', operation: 'getAll', bucket, returnAll: true, options: { prefix: '2026/' } }),
	s4('Presign', { resource: 'object', operation: 'getPresignedUrl', bucket, key: '2026/report.txt' }),
	s4('Download', { resource: 'object', operation: 'download', bucket, key: '2026/report.txt', binaryPropertyName: 'data' }),
	verify,
]);

describe(`n8n ${N8N1_VERSION} (Node ${process.versions.node}) with the packed package`, () => {
	let n8n: RealN8n;
	let s3: S3Sandbox;
	let megaSandbox: MegaSandboxServer;
	let home: N8nHome;
	let work: string;

	// From an empty cache: n8n 1.x's locked tree and a sqlite3 compile, several minutes on a busy 2-core machine.
	beforeAll(async () => {
		work = mkdtempSync(join(tmpdir(), 'mega-e2e-n8n1-'));
		[n8n, s3, megaSandbox] = await Promise.all([ensureN8n1(), startS3Sandbox(), startMegaSandbox({ port: 0, waitTimeoutMs: 2_000 })]);
		const account = { email: 'n8n1@sandbox.local', password: 'n8n1-sandbox-password' };
		await megaSandbox.createAccount({ ...account, version: 2 });
		const tarball = await packThisPackage(work);
		home = await createN8nHome(tarball, N8N1_ENV);
		const credentials = [
			{ ...CREDENTIALS.mega, type: 'megaApi', data: { mode: 'account', ...account, gateway: megaSandbox.gateway } },
			{ ...CREDENTIALS.s4, type: 'megaS4Api', data: megaS4CredentialFor(s3) },
		];
		writeFileSync(join(work, 'credentials.json'), JSON.stringify(credentials), { mode: 0o600 });
		writeFileSync(join(work, 'workflows.json'), JSON.stringify([cloudRoundTrip, s4RoundTrip]));
		for (const args of [['import:credentials', `--input=${join(work, 'credentials.json')}`], ['import:workflow', `--input=${join(work, 'workflows.json')}`]]) {
			const result = await n8nCli(n8n, home, args);
			if (result.code !== 0) throw new Error(`n8n ${args[0]} exited ${result.code}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
		}
	}, 40 * 60_000);

	afterAll(async () => {
		await Promise.all([s3?.stop(), megaSandbox?.close()]);
		home?.remove();
		if (work) rmSync(work, { recursive: true, force: true });
	});

	async function execute(id: string): Promise<RunJson> {
		const executed = await n8nCli(n8n, home, ['execute', `--id=${id}`, '--rawOutput']);
		if (executed.code !== 0) throw new Error(`n8n execute exited ${executed.code}:\n${executed.stdout.slice(-3000)}\n${executed.stderr.slice(-3000)}`);
		const run = parseRunOutput(executed.stdout) as RunJson;
		expect({ status: run.status, error: run.data?.resultData?.error?.message }).toEqual({ status: 'success', error: undefined });
		return run;
	}

	it('installs as a community package', () => {
		expect(listInstalledPackages(home)).toContain('n8n-nodes-mega');
	});

	it('runs the MEGA Cloud round trip: upload, list, link, download, same bytes', async () => {
		const run = await execute(cloudRoundTrip.id);
		const [file] = outputOf(run, 'Upload');
		expect(file).toMatchObject({ name: 'report.txt', path: '/n8n1 examples/report.txt', type: 'file', size: Buffer.byteLength(REPORT) });
		expect(outputOf(run, 'List Folder').map((entry) => entry.name)).toContain('report.txt');
		expect(outputOf(run, 'Create Link')[0]).toMatchObject({ handle: file.handle, link: expect.stringMatching(/^https:\/\/mega\.nz\/file\/[\w-]{8}#[\w-]{43}$/) });
		expect(outputOf(run, 'Verify')[0].sha256).toBe(sha256(REPORT));
	});

	it('runs the MEGA S4 round trip: upload, list, presign, download, same bytes', async () => {
		const run = await execute(s4RoundTrip.id);
		expect(outputOf(run, 'List Objects').map((entry) => entry.key)).toEqual(['2026/report.txt']);
		expect(String(outputOf(run, 'Presign')[0].url)).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
		expect(outputOf(run, 'Verify')[0].sha256).toBe(sha256(REPORT));
	});
});
