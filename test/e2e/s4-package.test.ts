/**
 * e2e: a real n8n process (version: test/support/test-versions.ts) on Node 24 loads this package from its packed tarball (as a community package)
 * and runs a workflow that streams a 12 MiB file from disk into MEGA S4 (multipart, through the strict S4 proxy
 * in front of Ceph RGW) and back to disk. Byte-identical round trip, run status "success".
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { megaS4CredentialFor, startS3Sandbox, type S3Sandbox } from '../../sandbox/s3';
import { refusingOldestNode, runtimeTree } from '../support/engines';
import { createN8nHome, ensureRealN8n, listInstalledPackages, N8N_VERSION, n8nCli, packThisPackage, parseRunOutput, type N8nHome, type RealN8n } from './support/real-n8n';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe(`n8n ${N8N_VERSION} (Node 24) with the packed package`, () => {
	let n8n: RealN8n;
	let s3: S3Sandbox;
	let home: N8nHome;
	let work: string;

	// From an empty cache this installs Node 24 and n8n's locked tree and compiles sqlite3: over ten minutes on a
	// busy 2-core machine. Later runs find the cache; building, packing and starting Ceph still take a minute or two.
	beforeAll(async () => {
		work = mkdtempSync(join(tmpdir(), 'mega-e2e-'));
		[n8n, s3] = await Promise.all([ensureRealN8n(), startS3Sandbox()]);
		const tarball = await packThisPackage(work);
		home = await createN8nHome(tarball, { N8N_RESTRICT_FILE_ACCESS_TO: work });
	}, 40 * 60_000);

	afterAll(async () => {
		await s3?.stop();
		home?.remove();
		if (work) rmSync(work, { recursive: true, force: true });
	});

	it('installs as a community package', () => {
		expect(listInstalledPackages(home)).toContain('n8n-nodes-mega');
	});

	// The tarball's install resolves the AWS SDK's own dependency ranges afresh, as a user's install does: the exact
	// @aws-sdk pins in package.json must still give a tree that accepts Node 20.19 (README, "MEGA S4").
	it('installs a runtime tree that accepts Node 20.19', () => {
		const tree = runtimeTree(join(home.userFolder, '.n8n', 'nodes'));
		expect(tree.map((m) => m.name)).toEqual(expect.arrayContaining(['n8n-nodes-mega', '@aws-sdk/client-s3', '@aws-sdk/core']));
		expect(refusingOldestNode(tree)).toEqual([]);
	});

	it('runs an S4 upload/download workflow byte-identically', async () => {
		const input = randomBytes(12 * 2 ** 20);
		writeFileSync(join(work, 'input.bin'), input);

		const credentials = [
			{
				id: 'e2eS4Cred0000001',
				name: 'S4 sandbox',
				type: 'megaS4Api',
				data: megaS4CredentialFor(s3),
			},
		];
		writeFileSync(join(work, 'credentials.json'), JSON.stringify(credentials));
		const s4Credentials = { megaS4Api: { id: 'e2eS4Cred0000001', name: 'S4 sandbox' } };
		const bucket = { __rl: true, mode: 'name', value: 'e2e-bucket' };
		const node = (name: string, type: string, parameters: object, x: number, extra: object = {}) => ({
			id: name,
			name,
			type,
			typeVersion: 1,
			position: [x, 0],
			parameters,
			...extra,
		});
		const workflow = {
			id: 'e2eS4RoundTrip01',
			name: 'S4 round trip',
			active: false,
			settings: {},
			nodes: [
				node('Start', 'n8n-nodes-base.manualTrigger', {}, 0),
				node('Create Bucket', 'n8n-nodes-mega.megaS4', { resource: 'bucket', operation: 'create', bucketName: 'e2e-bucket' }, 200, { credentials: s4Credentials }),
				node('Read File', 'n8n-nodes-base.readWriteFile', { operation: 'read', fileSelector: join(work, 'input.bin') }, 400, { typeVersion: 1.1 }),
				node('Upload', 'n8n-nodes-mega.megaS4', { resource: 'object', operation: 'upload', bucket, key: 'e2e/input.bin', binaryPropertyName: 'data' }, 600, { credentials: s4Credentials }),
				node('Download', 'n8n-nodes-mega.megaS4', { resource: 'object', operation: 'download', bucket, key: 'e2e/input.bin', binaryPropertyName: 'data' }, 800, { credentials: s4Credentials }),
				node('Write File', 'n8n-nodes-base.readWriteFile', { operation: 'write', fileName: join(work, 'output.bin'), dataPropertyName: 'data' }, 1000, { typeVersion: 1.1 }),
			],
			connections: Object.fromEntries(
				[
					['Start', 'Create Bucket'],
					['Create Bucket', 'Read File'],
					['Read File', 'Upload'],
					['Upload', 'Download'],
					['Download', 'Write File'],
				].map(([from, to]) => [from, { main: [[{ node: to, type: 'main', index: 0 }]] }]),
			),
		};
		writeFileSync(join(work, 'workflow.json'), JSON.stringify(workflow));

		const importCredentials = await n8nCli(n8n, home, ['import:credentials', `--input=${join(work, 'credentials.json')}`]);
		expect(importCredentials.code).toBe(0);
		const importWorkflow = await n8nCli(n8n, home, ['import:workflow', `--input=${join(work, 'workflow.json')}`]);
		expect(importWorkflow.code).toBe(0);

		const executed = await n8nCli(n8n, home, ['execute', '--id=e2eS4RoundTrip01', '--rawOutput']);
		if (executed.code !== 0) throw new Error(`n8n execute exited ${executed.code}:\n${executed.stdout.slice(-3000)}\n${executed.stderr.slice(-3000)}`);
		const run = parseRunOutput(executed.stdout) as { status?: string; data?: { resultData?: { error?: unknown } } };
		expect({ status: run.status, error: run.data?.resultData?.error }).toEqual({ status: 'success', error: undefined });
		expect(executed.code).toBe(0);

		expect(sha256(readFileSync(join(work, 'output.bin')))).toBe(sha256(input));
	});
});
