/**
 * What a real n8n needs to run `examples/` against the sandboxes: the credentials those workflows name (fixed ids, so
 * the example files can refer to them) and the example files themselves. Shared by the e2e tests and `npm run n8n`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/node24';
import { n8nCli, type N8nHome, type RealN8n } from './real-n8n';

/** Credential ids and names the example workflows refer to. */
export const CREDENTIALS = {
	megaAccount: { id: 'megaSandboxAcct1', name: 'MEGA sandbox (account)' },
	megaSession: { id: 'megaSandboxSess1', name: 'MEGA sandbox (session string)' },
	megaS4: { id: 'megaS4Sandbox001', name: 'MEGA S4 sandbox' },
} as const;

/** Example workflows run in a real n8n (`examples/mega-*.json`; the demo's `*.workflow.json` files use in-process test nodes). */
export const EXAMPLES = {
	cloudRoundTrip: 'mega-cloud-upload-share-download.json',
	s4RoundTrip: 'mega-s4-upload-presign-download.json',
	webhookUpload: 'mega-cloud-webhook-upload.json',
	triggerNewFiles: 'mega-cloud-trigger-new-files.json',
} as const;

export interface ExampleWorkflow {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }>;
	[key: string]: unknown;
}

export function readExample(file: string): ExampleWorkflow {
	return JSON.parse(readFileSync(join(repoRoot, 'examples', file), 'utf8')) as ExampleWorkflow;
}

/** The same workflow under another id and name, its MEGA nodes using another `megaApi` credential. */
export function withMegaCredential(workflow: ExampleWorkflow, id: string, name: string, credential: { id: string; name: string }): ExampleWorkflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as ExampleWorkflow;
	copy.id = id;
	copy.name = name;
	for (const node of copy.nodes) if (node.credentials?.megaApi) node.credentials.megaApi = { ...credential };
	return copy;
}

export interface SandboxCredentialData {
	gateway: string;
	email: string;
	password: string;
	sessionToken: string;
	s4: Record<string, unknown>;
}

export function credentialRecords(data: SandboxCredentialData): Array<{ id: string; name: string; type: string; data: Record<string, unknown> }> {
	return [
		{ ...CREDENTIALS.megaAccount, type: 'megaApi', data: { mode: 'account', email: data.email, password: data.password, gateway: data.gateway } },
		{ ...CREDENTIALS.megaSession, type: 'megaApi', data: { mode: 'session', sessionToken: data.sessionToken, gateway: data.gateway } },
		{ ...CREDENTIALS.megaS4, type: 'megaS4Api', data: data.s4 },
	];
}

async function cli(n8n: RealN8n, home: N8nHome, args: string[]): Promise<void> {
	const result = await n8nCli(n8n, home, args);
	if (result.code !== 0) throw new Error(`n8n ${args[0]} exited ${result.code}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
}

/** `n8n import:credentials` with the sandbox credentials (n8n encrypts them with the user folder's key). */
export async function importCredentials(n8n: RealN8n, home: N8nHome, data: SandboxCredentialData): Promise<void> {
	const file = join(home.userFolder, 'sandbox-credentials.json');
	writeFileSync(file, JSON.stringify(credentialRecords(data)), { mode: 0o600 });
	await cli(n8n, home, ['import:credentials', `--input=${file}`]);
}

/** `n8n import:workflow` of several workflows in one CLI start (each start costs n8n's boot time). */
export async function importWorkflows(n8n: RealN8n, home: N8nHome, workflows: ExampleWorkflow[]): Promise<void> {
	const file = join(home.userFolder, 'import-workflows.json');
	writeFileSync(file, JSON.stringify(workflows));
	await cli(n8n, home, ['import:workflow', `--input=${file}`]);
}
