/**
 * e2e: n8n 1.x (version: test/e2e/n8n1/package.json) on the Node that runs the tests (20) loads this package from
 * its packed tarball and runs the examples the n8n 2.x e2e runs (examples/mega-cloud-upload-share-download.json and
 * examples/mega-s4-upload-presign-download.json, with the same fixed-id credentials) against the MEGA and S3 sandboxes,
 * with 1.x's default binary mode (in memory) and its legacy expression engine.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMegaSandbox, type MegaSandboxServer } from '../../sandbox/mega';
import { megaS4CredentialFor, startS3Sandbox, type S3Sandbox } from '../../sandbox/s3';
import { ensureN8n1, N8N1_ENV, N8N1_VERSION } from './support/n8n1';
import { createN8nHome, listInstalledPackages, n8nCli, packThisPackage, parseRunOutput, type N8nHome, type RealN8n } from './support/real-n8n';
import { EXAMPLES, importCredentials, importWorkflows, readExample } from './support/sandbox-n8n';
import { MegaClient, openPublicDownload } from '../../index';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

interface RunJson {
	status?: string;
	data?: { resultData?: { error?: { message?: string }; runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }>> } }>> } };
}
const outputOf = (run: RunJson, node: string) => (run.data?.resultData?.runData?.[node]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);

/** The text the example's "Make Report" node turns into the file. */
const reportText = (file: string) => {
	const assignment = readExample(file).nodes.find((node) => node.name === 'Make Report')?.parameters.assignments as { assignments: Array<{ value: string }> };
	return assignment.assignments[0].value;
};

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
		// The same credentials (fixed ids) and example workflows as the n8n 2.x e2e: examples/mega-*.json.
		const sessionClient = await MegaClient.connect({ kind: 'password', ...account }, { gateway: megaSandbox.gateway });
		await importCredentials(n8n, home, { gateway: megaSandbox.gateway, ...account, sessionToken: sessionClient.exportSession(), s4: megaS4CredentialFor(s3) });
		await importWorkflows(n8n, home, [readExample(EXAMPLES.cloudRoundTrip), readExample(EXAMPLES.s4RoundTrip)]);
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

	it('runs the MEGA Cloud example: upload, list, link, download, same bytes', async () => {
		const text = reportText(EXAMPLES.cloudRoundTrip);
		const run = await execute(readExample(EXAMPLES.cloudRoundTrip).id);
		const [file] = outputOf(run, 'Upload');
		expect(file).toMatchObject({ type: 'file', size: Buffer.byteLength(text), path: expect.stringMatching(/^\/n8n examples\/report( \(\d+\))?\.txt$/) });
		expect(outputOf(run, 'List Folder').map((entry) => entry.handle)).toContain(file.handle);
		const [linked] = outputOf(run, 'Create Link');
		expect(linked).toMatchObject({ handle: file.handle, link: expect.stringMatching(/^https:\/\/mega\.nz\/file\/[\w-]{8}#[\w-]{43}$/) });
		expect(outputOf(run, 'Verify')[0].sha256).toBe(sha256(text));
		// The link opens the same bytes through the core, without logging in.
		const parts: Buffer[] = [];
		for await (const part of await openPublicDownload(linked.link as string, { gateway: megaSandbox.gateway })) parts.push(part as Buffer);
		expect(sha256(Buffer.concat(parts))).toBe(sha256(text));
	});

	it('runs the MEGA S4 example: upload, list, presign, download, same bytes', async () => {
		const text = reportText(EXAMPLES.s4RoundTrip);
		const run = await execute(readExample(EXAMPLES.s4RoundTrip).id);
		expect(outputOf(run, 'List Objects').map((entry) => entry.key)).toContain('2026/report.txt');
		expect(String(outputOf(run, 'Presign')[0].url)).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
		expect(outputOf(run, 'Verify')[0].sha256).toBe(sha256(text));
	});
});
