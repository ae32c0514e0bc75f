/**
 * `workflow.*` benchmark steps, one per fresh process (run through test/support/run-in-child.ts): the same 256 MiB
 * transfer through the MEGA Cloud node inside n8n's engine (filesystem binary mode) and through MegaClient alone.
 * Login and the first tree fetch are done before the clock starts in both, so the figures compare transfers. Both
 * sides keep the file on disk, as n8n's filesystem binary mode does: core uploads from a file and downloads into one.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { INodeExecutionData } from 'n8n-workflow';
import { MegaApi } from '../credentials/MegaApi.credentials';
import { MegaClient } from '../core/mega/client';
import { patternStream } from './transfer-ops';
import { megaNodeTypes, removeHarnessUserFolder, runWorkflow, type WorkflowNode } from '../test/workflow/harness';
import { MakeStream } from '../test/workflow/harness/dummy-nodes/MakeStream';

// "MegaCloud.node" would resolve to the codex MegaCloud.node.json under tsx: name the .ts file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MegaCloud } = require(join(__dirname, '../nodes/MegaCloud/MegaCloud.node.ts')) as typeof import('../nodes/MegaCloud/MegaCloud.node');

const MIB = 1024 * 1024;

export interface WorkflowOpInput {
	gateway: string;
	email: string;
	password: string;
	size: number;
	handle?: string;
}

export interface WorkflowOpResult {
	ms: number;
	handle?: string;
	bytes: number;
	binaryId?: string;
}

const credential = (input: WorkflowOpInput) => ({ mode: 'account', email: input.email, password: input.password, gateway: input.gateway });

async function runNode(input: WorkflowOpInput, node: WorkflowNode, items?: INodeExecutionData[]) {
	const result = await runWorkflow({
		nodes: [node],
		connections: {},
		nodeTypes: megaNodeTypes(new MegaCloud(), new MakeStream()),
		credentials: { megaApi: credential(input) },
		credentialTypes: [new MegaApi()],
		binaryMode: 'filesystem',
		input: items,
	});
	if (result.error) throw result.error;
	return result.output(node.name);
}

/** Logs in and loads the tree through the node (what a long-running n8n has done before). */
async function warmUp(input: WorkflowOpInput): Promise<void> {
	await runNode(input, { name: 'Warm', type: 'n8n-nodes-mega.megaCloud', parameters: { resource: 'folder', operation: 'getAll', returnAll: true } });
}

export async function workflowUpload(input: WorkflowOpInput): Promise<WorkflowOpResult> {
	try {
		await warmUp(input);
		const made = await runNode(input, { name: 'Make', type: 'n8n-nodes-mega.makeStream', parameters: { size: input.size, fileName: 'bench.bin' } });
		const started = performance.now();
		const [uploaded] = await runNode(
			input,
			{ name: 'Upload', type: 'n8n-nodes-mega.megaCloud', parameters: { resource: 'file', operation: 'upload', binaryPropertyName: 'data', fileName: `workflow-${input.size}.bin` } },
			made,
		);
		const ms = performance.now() - started;
		return { ms, handle: uploaded.json.handle as string, bytes: uploaded.json.size as number, binaryId: made[0].binary?.data.id };
	} finally {
		removeHarnessUserFolder();
	}
}

export async function workflowDownload(input: WorkflowOpInput): Promise<WorkflowOpResult> {
	try {
		await warmUp(input);
		const started = performance.now();
		const [downloaded] = await runNode(input, {
			name: 'Download',
			type: 'n8n-nodes-mega.megaCloud',
			parameters: { resource: 'file', operation: 'download', file: { __rl: true, mode: 'id', value: input.handle }, binaryPropertyName: 'data' },
		});
		const ms = performance.now() - started;
		return { ms, bytes: downloaded.binary?.data.bytes ?? 0, binaryId: downloaded.binary?.data.id };
	} finally {
		removeHarnessUserFolder();
	}
}

async function connect(input: WorkflowOpInput): Promise<MegaClient> {
	const client = await MegaClient.connect({ kind: 'password', email: input.email, password: input.password }, { gateway: input.gateway });
	await client.list('/');
	return client;
}

export async function coreUpload(input: WorkflowOpInput): Promise<WorkflowOpResult> {
	const dir = mkdtempSync(join(tmpdir(), 'bench-core-up-'));
	try {
		const file = join(dir, 'source.bin');
		await pipeline(patternStream(input.size), createWriteStream(file));
		const client = await connect(input);
		const started = performance.now();
		const result = await client.upload({ name: `core-${input.size}.bin`, source: () => createReadStream(file, { highWaterMark: MIB }), size: input.size });
		return { ms: performance.now() - started, handle: result.handle, bytes: result.size };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

export async function coreDownload(input: WorkflowOpInput): Promise<WorkflowOpResult> {
	const dir = mkdtempSync(join(tmpdir(), 'bench-core-down-'));
	try {
		const client = await connect(input);
		const file = join(dir, 'download.bin');
		const started = performance.now();
		await pipeline(await client.download(input.handle as string), createWriteStream(file));
		const ms = performance.now() - started;
		return { ms, bytes: statSync(file).size };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
