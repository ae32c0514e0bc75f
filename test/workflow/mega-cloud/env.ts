/**
 * The MEGA Cloud node's workflow-test environment: an in-process MEGA sandbox, one account per test file, and
 * `runCloud` (Make/… -> MEGA Cloud -> Read/…) through n8n's engine. Every run's data and error is recorded so the
 * file's `afterAll` can check that no secret (password, TOTP secret, session string, master key, session id) ever
 * reached an output item, an error or a hint.
 */
import { createHash } from 'node:crypto';

import type { ICredentialDataDecryptedObject, IConnections, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { MegaApi } from '../../../credentials/MegaApi.credentials';
import { forgetLiveTrees, type MegaClient } from '../../../core/mega/client';
import { clearSessionCache } from '../../../core/mega/session';
import { MegaCloud } from '../../../nodes/MegaCloud/MegaCloud.node';
import { megaClientFromCredentials } from '../../../nodes/shared';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { megaNodeTypes, removeHarnessUserFolder, runWorkflow, type WorkflowNode, type WorkflowRunResult } from '../harness';
import { MakeStream } from '../harness/dummy-nodes/MakeStream';
import { ReadStream } from '../harness/dummy-nodes/ReadStream';

export const MIB = 1024 * 1024;
export const nodeTypes = megaNodeTypes(new MegaCloud(), new MakeStream(), new ReadStream());
export const main = (node: string) => ({ main: [[{ node, type: 'main' as const, index: 0 }]] });
export const byPath = (value: string) => ({ __rl: true, mode: 'path', value });
export const byId = (value: string) => ({ __rl: true, mode: 'id', value });
export const fromList = (value: string, cachedResultName = value) => ({ __rl: true, mode: 'list', value, cachedResultName });
export const byUrl = (value: string) => ({ __rl: true, mode: 'url', value });
export const make = (size: number, fileName = 'random.bin', mimeType = 'application/octet-stream'): WorkflowNode => ({
	name: 'Make',
	type: 'n8n-nodes-mega.makeStream',
	parameters: { size, fileName, mimeType },
});
export const read = (binaryPropertyName = 'data'): WorkflowNode => ({ name: 'Read', type: 'n8n-nodes-mega.readStream', parameters: { binaryPropertyName } });

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

export interface RunCloudOptions {
	before?: WorkflowNode[];
	after?: WorkflowNode;
	input?: INodeExecutionData[];
	onError?: WorkflowNode['onError'];
	binaryMode?: 'filesystem' | 'memory';
	credential?: ICredentialDataDecryptedObject;
	cancelSignal?: AbortSignal;
	/** Return the failed run instead of throwing its error. */
	allowError?: boolean;
}

export interface CloudRun {
	items: INodeExecutionData[];
	after: INodeExecutionData[];
	result: WorkflowRunResult;
}

export interface CloudEnv {
	sandbox: MegaSandbox;
	email: string;
	password: string;
	credential: ICredentialDataDecryptedObject;
	/** The same cached client the node uses (same process, same credential). */
	client: MegaClient;
	runCloud(parameters: INodeParameters, options?: RunCloudOptions): Promise<CloudRun>;
	/** Everything the workflows produced (outputs, errors, hints), as JSON text. */
	recorded: string[];
	/** Extra secrets a test introduced (e.g. a second account's password). */
	extraSecrets: string[];
	/** Fails if any recorded run contains a secret. */
	assertNoSecrets(): void;
	stop(): Promise<void>;
}

let accountCounter = 0;

export async function startCloudEnv(prefix: string): Promise<CloudEnv> {
	const sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 1_000 });
	accountCounter += 1;
	const email = `${prefix}${accountCounter}@workflow.test`;
	const password = `pw-${prefix}-${accountCounter}-not-for-output`;
	await sandbox.createAccount({ email, password, version: 2 });
	const credential: ICredentialDataDecryptedObject = { mode: 'account', email, password, gateway: sandbox.gateway };
	const client = await megaClientFromCredentials(credential);
	const recorded: string[] = [];
	const extraSecrets: string[] = [];

	const runCloud = async (parameters: INodeParameters, options: RunCloudOptions = {}): Promise<CloudRun> => {
		const nodes: WorkflowNode[] = [
			...(options.before ?? []),
			{ name: 'MEGA', type: 'n8n-nodes-mega.megaCloud', parameters, ...(options.onError ? { onError: options.onError } : {}) },
		];
		const connections: IConnections = {};
		for (let i = 0; i + 1 < nodes.length; i++) connections[nodes[i].name] = main(nodes[i + 1].name);
		if (options.after) {
			nodes.push(options.after);
			connections.MEGA = main(options.after.name);
		}
		const result = await runWorkflow({
			nodes,
			connections,
			nodeTypes,
			credentials: { megaApi: options.credential ?? credential },
			credentialTypes: [new MegaApi()],
			binaryMode: options.binaryMode ?? 'filesystem',
			input: options.input,
			cancelSignal: options.cancelSignal,
		});
		recorded.push(JSON.stringify(result.run.data.resultData, (_key, value: unknown) => (value instanceof Error ? { ...value, message: value.message, description: (value as { description?: unknown }).description } : value)));
		if (result.error && !options.allowError) throw result.error;
		const items = result.error ? [] : result.output('MEGA');
		return { items, after: options.after && !result.error ? result.output(options.after.name) : [], result };
	};

	return {
		sandbox,
		email,
		password,
		credential,
		client,
		runCloud,
		recorded,
		extraSecrets,
		assertNoSecrets() {
			const data = client.session.data;
			const secrets = [
				password,
				data.sid,
				data.masterKey.toString('base64url'),
				data.masterKey.toString('base64'),
				data.masterKey.toString('hex'),
				client.exportSession(),
				client.exportSession().slice('mega-session:v1:'.length),
				...extraSecrets,
			];
			expect(recorded.length).toBeGreaterThan(0);
			for (const text of recorded) {
				for (const secret of secrets) {
					if (text.includes(secret)) throw new Error(`A workflow run leaked a secret (${secret.length} characters) into its output or error`);
				}
			}
		},
		async stop() {
			clearSessionCache();
			forgetLiveTrees();
			await sandbox.close();
		},
	};
}

/** Every test file's afterAll: no recorded run leaked a secret, n8n's harness user folder is gone, the sandbox is stopped. */
export async function finishCloudEnv(env: CloudEnv): Promise<void> {
	env.assertNoSecrets();
	removeHarnessUserFolder();
	await env.stop();
}
