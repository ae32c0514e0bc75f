/**
 * `npm run demo`: real work against the embedded sandboxes, nothing leaves 127.0.0.1.
 *
 * 1. MEGA Cloud (core client) against the MEGA sandbox: log in to the seeded account, make a folder, stream a
 *    24 MiB file up (client-side encrypted, parallel chunks), share it as a link, download it through the link
 *    with the meta-MAC verified, and watch a change made by another client arrive through the change feed.
 * 2. MEGA Cloud as a real n8n workflow (examples/mega-cloud-round-trip.workflow.json) in n8n's engine: create a
 *    folder, upload a file, list the folder, share a link, download through the link and check the bytes, move the
 *    file to the Rubbish Bin, restore it, report the quota. With MEGA_EMAIL / MEGA_PASSWORD (and MEGA_TOTP_SECRET)
 *    set, this part runs against that real MEGA account instead (in a new folder "n8n-demo-<time>", deleted after).
 * 3. MEGA S4 as a real n8n workflow (examples/s4-round-trip.workflow.json) run by n8n's own engine in-process,
 *    against Ceph RGW behind the strict S4 proxy: create a bucket, upload a 16 MiB file (multipart), list it,
 *    presign a link, download it, check its sha256. Ceph is Debian's; the S3 sandbox installs it when run as root.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { INodeExecutionData } from 'n8n-workflow';
import { MegaClient, openPublicDownload } from '../index';
import { MegaApi } from '../credentials/MegaApi.credentials.js';
import { MegaS4Api } from '../credentials/MegaS4Api.credentials.js';
import { MegaCloud } from '../nodes/MegaCloud/MegaCloud.node.js';
import { MegaS4 } from '../nodes/MegaS4/MegaS4.node.js'; // '.js': a bare '.node' suffix resolves as a native addon
import { startMegaSandbox } from '../sandbox/mega';
import { megaS4CredentialFor, startS3Sandbox } from '../sandbox/s3';
import { megaNodeTypes, removeHarnessUserFolder, runWorkflow } from '../test/workflow/harness';
import { MakeStream } from '../test/workflow/harness/dummy-nodes/MakeStream';
import { ReadStream } from '../test/workflow/harness/dummy-nodes/ReadStream';

const MiB = 2 ** 20;
const say = (line: string) => process.stdout.write(`${line}\n`);
const mbps = (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;

/** A deterministic stream of `size` bytes, re-openable (MEGA needs the size up front and may restart an upload). */
function patternSource(size: number, seed: Buffer): () => Readable {
	return () =>
		Readable.from(
			(function* () {
				for (let offset = 0; offset < size; offset += MiB) {
					const block = createHash('sha512').update(seed).update(String(offset)).digest();
					yield Buffer.alloc(Math.min(MiB, size - offset), block);
				}
			})(),
		);
}

async function sha256Of(stream: Readable): Promise<string> {
	const hash = createHash('sha256');
	await pipeline(stream, hash);
	return hash.digest('hex');
}

async function megaCloudDemo(): Promise<void> {
	say('== MEGA Cloud core against the MEGA sandbox');
	const sandbox = await startMegaSandbox({ seed: true, waitTimeoutMs: 2_000 });
	try {
		const account = sandbox.accounts.find((a) => a.email === 'demo@sandbox.local') ?? sandbox.accounts[0];
		const client = await MegaClient.connect({ kind: 'password', email: account.email, password: account.password }, { gateway: sandbox.gateway });
		const top = await client.list('/');
		say(`logged in as ${account.email} (v${account.version}); Cloud Drive holds: ${top.map((n) => n.name + (n.type === 'folder' ? '/' : '')).join(', ')}`);

		const folder = await client.mkdir('/Demo/2026');
		say(`made ${folder.path}`);

		const size = 24 * MiB;
		const source = patternSource(size, randomBytes(16));
		const expected = await sha256Of(source());
		const t0 = Date.now();
		const uploaded = await client.upload({ parent: folder.path, name: 'video.bin', source, size, onConflict: 'newVersion' });
		say(`uploaded ${uploaded.file.path} (${uploaded.size} bytes, encrypted client-side) at ${mbps(size, Date.now() - t0)}`);

		const { url } = await client.createLink(uploaded.file.path);
		say(`shared as ${url.replace(/#.*/, '#<key>')}`);
		const t1 = Date.now();
		const download = await openPublicDownload(url, { gateway: sandbox.gateway });
		const actual = await sha256Of(download);
		if (actual !== expected || !download.macChecked) throw new Error('the downloaded file differs from the uploaded one');
		say(`downloaded through the link at ${mbps(size, Date.now() - t1)}: sha256 matches, meta-MAC verified`);

		const before = await client.changes();
		await sandbox.client(account.email).upload('from-phone.jpg', randomBytes(4096), folder.handle);
		const after = await client.changes(before.sn);
		for (const event of after.events) say(`change feed: ${event.type} ${event.node?.path ?? event.handle}${event.own ? ' (ours)' : ' (another client)'}`);
		const quota = await client.quota();
		say(`storage used: ${(quota.storageUsed / MiB).toFixed(1)} MiB of ${(quota.storageMax / 2 ** 30).toFixed(0)} GiB`);
	} finally {
		await sandbox.close();
	}
}

/** Runs examples/mega-cloud-round-trip.workflow.json and checks every step's result; throws on the first wrong one. */
async function megaCloudWorkflowDemo(): Promise<void> {
	const real = process.env.MEGA_EMAIL && process.env.MEGA_PASSWORD;
	say(`\n== MEGA Cloud workflow in n8n's engine against ${real ? `the real MEGA account ${process.env.MEGA_EMAIL}` : 'the MEGA sandbox'}`);
	const sandbox = real ? undefined : await startMegaSandbox({ waitTimeoutMs: 2_000 });
	const folder = `n8n-demo-${Date.now()}`;
	let credential: Record<string, string>;
	if (sandbox) {
		await sandbox.createAccount({ email: 'workflow-demo@sandbox.local', password: 'workflow-demo-password', version: 2 });
		credential = { mode: 'account', email: 'workflow-demo@sandbox.local', password: 'workflow-demo-password', gateway: sandbox.gateway };
	} else {
		credential = { mode: 'account', email: String(process.env.MEGA_EMAIL), password: String(process.env.MEGA_PASSWORD), totpSecret: process.env.MEGA_TOTP_SECRET ?? '' };
	}
	try {
		const workflow = JSON.parse(readFileSync(join(__dirname, '..', 'examples', 'mega-cloud-round-trip.workflow.json'), 'utf8'));
		const t0 = Date.now();
		const result = await runWorkflow({
			nodes: workflow.nodes,
			connections: workflow.connections,
			input: [{ json: { folder } }],
			nodeTypes: megaNodeTypes(new MegaCloud(), new MakeStream(), new ReadStream()),
			credentialTypes: [new MegaApi()],
			credentials: { megaApi: credential },
		});
		if (result.error) throw result.error;
		const json = (name: string): INodeExecutionData['json'] => result.output(name)[0].json;
		const check = (ok: boolean, what: string) => {
			if (!ok) throw new Error(`MEGA Cloud workflow: ${what}`);
		};
		say(`workflow ran in ${Date.now() - t0} ms:`);
		const created = json('Create Folder');
		say(`  Create Folder      -> ${created.path} (handle ${created.handle})`);
		check(created.path === `/${folder}/Reports`, 'the folder was not created where asked');
		const uploaded = json('Upload Report');
		say(`  Upload Report      -> ${uploaded.path}, ${uploaded.size} bytes, ${uploaded.outcome}`);
		check(uploaded.size === 8 * MiB && uploaded.path === `/${folder}/Reports/q4-report.bin`, 'the upload is not the 8 MiB report');
		const listed = result.output('List Folder').map((item) => item.json.name);
		say(`  List Folder        -> ${listed.join(', ')}`);
		check(listed.includes('q4-report.bin'), 'the folder listing does not show the report');
		const link = String(json('Share Link').link ?? '');
		say(`  Share Link         -> ${link.replace(/#.*/, '#<key>')}`);
		check(/^https:\/\/mega\.nz\/file\//.test(link), 'no share link');
		const checked = json('Check Report');
		say(`  Download Via Link  -> ${checked.size} bytes, streamed: ${checked.streamed}`);
		check(checked.sha256 === json('Make Report').sha256, 'the file downloaded through the link differs from the uploaded one');
		say('                        sha256 matches the uploaded file');
		const trashed = json('Move To Rubbish Bin');
		say(`  Move To Rubbish Bin-> ${trashed.path}`);
		check(trashed.inRubbishBin === true, 'the file did not go to the Rubbish Bin');
		const restored = json('Restore');
		say(`  Restore            -> ${restored.path}`);
		check(restored.path === uploaded.path, 'the file was not restored to where it came from');
		const quota = json('Report Quota') as { transferTotal: number | null; readable: Record<string, string> };
		// Free accounts have a dynamic transfer limit that MEGA does not report (transferTotal null).
		const transfer = quota.transferTotal === null ? `${quota.readable.transferUsed} used (no fixed limit reported)` : `${quota.readable.transferUsed} of ${quota.readable.transferTotal}`;
		say(`  Report Quota       -> storage ${quota.readable.storageUsed} of ${quota.readable.storageTotal}, transfer ${transfer}`);
	} finally {
		if (!sandbox) {
			// A real account: remove the demo folder again.
			const client = await MegaClient.connect({ kind: 'password', email: credential.email, password: credential.password, totpSecret: credential.totpSecret || undefined });
			await client.delete(`/${folder}`).catch(() => undefined);
		}
		await sandbox?.close();
		removeHarnessUserFolder();
	}
}

async function s4WorkflowDemo(): Promise<void> {
	say('\n== MEGA S4 workflow in n8n\'s engine against Ceph RGW behind the strict S4 proxy');
	say('starting the S3 sandbox (a throwaway Ceph cluster on 127.0.0.1, ~15 s)...');
	const s3 = await startS3Sandbox();
	try {
		const workflow = JSON.parse(readFileSync(join(__dirname, '..', 'examples', 's4-round-trip.workflow.json'), 'utf8'));
		const t0 = Date.now();
		const result = await runWorkflow({
			nodes: workflow.nodes,
			connections: workflow.connections,
			nodeTypes: megaNodeTypes(new MegaS4(), new MakeStream(), new ReadStream()),
			credentialTypes: [new MegaS4Api()],
			credentials: { megaS4Api: megaS4CredentialFor(s3) },
		});
		if (result.error) throw result.error;
		const json = (name: string): INodeExecutionData['json'] => result.output(name)[0].json;
		const made = json('Make Report');
		const checked = json('Check Report');
		say(`workflow ran in ${Date.now() - t0} ms:`);
		say(`  Upload Report   -> ${JSON.stringify(json('Upload Report')).slice(0, 160)}`);
		say(`  List Reports    -> ${result.output('List Reports').length} object(s) under 2026/`);
		say(`  Share Link      -> ${String(json('Share Link').url ?? '').replace(/X-Amz-Signature=[^&]+/, 'X-Amz-Signature=<sig>').slice(0, 120)}...`);
		say(`  Check Report    -> ${checked.size} bytes, streamed: ${checked.streamed}, binary id ${checked.idPrefix}...`);
		if (checked.sha256 !== made.sha256) throw new Error('the downloaded object differs from the uploaded one');
		say('  sha256 of the downloaded object matches the uploaded one');
	} finally {
		await s3.stop();
		removeHarnessUserFolder();
	}
}

async function main(): Promise<void> {
	await megaCloudDemo();
	await megaCloudWorkflowDemo();
	await s4WorkflowDemo();
	const real = process.env.MEGA_EMAIL && process.env.MEGA_PASSWORD;
	say(`\ndemo finished: ${real ? `the MEGA Cloud workflow ran against ${process.env.MEGA_EMAIL}, everything else` : 'every step above ran'} against local sandboxes only.`);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
