/**
 * MEGA Trigger benchmarks, the node's poll() on a real n8n PollContext (one workflow whose static data carries the
 * cursor, as an active workflow's poller does) against a sandbox in its own process (`--serve` mode of this file),
 * with requests counted on the sandbox side through its control endpoint.
 *
 * trigger.idlePoll.100k: an account of 100,000 nodes, after the first poll (login + one `f`): `ours` = CPU ms of this
 * process per idle poll (user + system, mean of the idle polls); extra `requestsPerPoll` (every sandbox request —
 * cs, sc, wait, transfers — divided by the polls; target exactly 1), `wallMs`, `polls`, `nodes`.
 * trigger.poll.500changes: 500 changes by another client (250 folders made, 250 renamed) between two polls: `ours` =
 * wall ms of the poll that emits them; extra `items`, `cpuMs`, `requests`.
 */
import { PollContext } from 'n8n-core';
import { Workflow, type INodeExecutionData } from 'n8n-workflow';

import { MegaApi } from '../credentials/MegaApi.credentials';
import { MegaTrigger } from '../nodes/MegaTrigger/MegaTrigger.node.js'; // '.js': a bare '.node' suffix resolves as a native addon
import { createAdditionalData } from '../test/workflow/harness/additional-data';
import { TestCredentialsHelper } from '../test/workflow/harness/credentials-helper';
import { TestNodeTypes } from '../test/workflow/harness/node-types';
import type { BenchResult } from './pipeline';
import { serveInChild, serveUntilStdinEnds } from './serve-child';

interface Served {
	gateway: string;
	control: string;
	email: string;
	password: string;
	watched: string;
	close(): Promise<void>;
}

async function serve(nodes: number): Promise<Served> {
	return serveInChild<Omit<Served, 'close'>>(__filename, String(nodes), 'trigger bench sandbox');
}

async function serveMain(nodes: number): Promise<void> {
	const { startMegaSandbox } = await import('../sandbox/mega');
	const sandbox = await startMegaSandbox({ port: 0 });
	const email = 'trigger-bench@sandbox.local';
	const password = 'trigger bench password';
	const account = await sandbox.createAccount({ email, password, version: 2 });
	const client = sandbox.client(email);
	const watched = await client.mkdir('Watched');
	// 100 folders of (nodes / 100 - 1) files each, plus the watched folder: `nodes` nodes in all.
	if (nodes > 100) await client.populate({ folders: 100, filesPerFolder: Math.floor(nodes / 100) - 1 });
	serveUntilStdinEnds(sandbox, { gateway: sandbox.gateway, control: sandbox.controlUrl, email, password, watched, root: account.rootHandle });
}

async function control<T>(served: Served, path: string, body?: unknown): Promise<T> {
	const response = await fetch(`${served.control}/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
	if (!response.ok) throw new Error(`control ${path}: HTTP ${response.status} ${await response.text()}`);
	return (await response.json()) as T;
}

async function requestCount(served: Served): Promise<number> {
	const { endpoints } = await control<{ endpoints: Record<string, number> }>(served, 'counters');
	return endpoints.cs + endpoints.sc + endpoints.wait + endpoints.upload + endpoints.download;
}

/** One trigger node in one active workflow: poll() calls share its static data, as n8n's poller does. */
function triggerFor(served: Served, folder: string) {
	const nodeType = new MegaTrigger();
	const node = {
		id: 'bench-trigger',
		name: 'MEGA Trigger',
		type: 'n8n-nodes-mega.megaTrigger',
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: { events: ['fileAdded', 'folderAdded', 'renamed', 'deleted'], folder: { __rl: true, mode: 'id', value: folder } },
		credentials: { megaApi: { id: 'bench', name: 'megaApi' } },
	};
	const workflow = new Workflow({ id: 'benchWorkflow', nodes: [node], connections: {}, nodeTypes: new TestNodeTypes({ [node.type]: nodeType }), active: true, settings: {} });
	const credentials = new TestCredentialsHelper({ megaApi: { mode: 'account', email: served.email, password: served.password, gateway: served.gateway } }, [new MegaApi()]);
	const additionalData = createAdditionalData({ credentialsHelper: credentials, workflowId: workflow.id });
	return async (): Promise<INodeExecutionData[]> => {
		const context = new PollContext(workflow, workflow.getNode(node.name)!, additionalData, 'trigger', 'activate');
		return (await nodeType.poll!.call(context))?.[0] ?? [];
	};
}

function cpuMs(since: NodeJS.CpuUsage): number {
	const used = process.cpuUsage(since);
	return (used.user + used.system) / 1000;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function benchTrigger(options: { quick?: boolean } = {}): Promise<BenchResult[]> {
	const nodes = options.quick ? 10_000 : 100_000;
	const served = await serve(nodes);
	try {
		const poll = triggerFor(served, served.watched);
		await poll(); // activation: login, one `f`, the cursor
		for (let i = 0; i < 3; i++) await poll(); // warm-up
		const polls = options.quick ? 10 : 30;
		const requestsBefore = await requestCount(served);
		const cpu = process.cpuUsage();
		const started = performance.now();
		for (let i = 0; i < polls; i++) {
			const items = await poll();
			if (items.length > 0) throw new Error('an idle poll emitted items');
		}
		const wallMs = performance.now() - started;
		const idleCpu = cpuMs(cpu) / polls;
		const requestsPerPoll = ((await requestCount(served)) - requestsBefore) / polls;

		const made: string[] = [];
		for (let i = 0; i < 250; i++) made.push((await control<{ handle: string }>(served, 'client', { email: served.email, op: 'mkdir', name: `new-${i}`, parent: served.watched })).handle);
		for (let i = 0; i < 250; i++) await control(served, 'client', { email: served.email, op: 'rename', handle: made[i], name: `renamed-${i}` });
		const changedBefore = await requestCount(served);
		const changedCpu = process.cpuUsage();
		const changedStart = performance.now();
		const items = await poll();
		const changedMs = performance.now() - changedStart;
		const changedCpuMs = cpuMs(changedCpu);
		const changedRequests = (await requestCount(served)) - changedBefore;
		if (items.length !== 500) throw new Error(`the poll after 500 changes emitted ${items.length} items`);
		return [
			{ name: 'trigger.idlePoll.100k', unit: 'ms', ours: round(idleCpu), requestsPerPoll, wallMs: round(wallMs / polls), polls, nodes },
			{ name: 'trigger.poll.500changes', unit: 'ms', ours: round(changedMs, 1), items: items.length, cpuMs: round(changedCpuMs, 1), requests: changedRequests, nodes },
		];
	} finally {
		await served.close();
	}
}

if (require.main === module) {
	const serveIndex = process.argv.indexOf('--serve');
	if (serveIndex >= 0) {
		void serveMain(Number(process.argv[serveIndex + 1] ?? 0));
	} else {
		benchTrigger({ quick: process.argv.includes('--quick') }).then(
			(results) => {
				for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
				process.exit(0);
			},
			(error: unknown) => {
				process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
				process.exit(1);
			},
		);
	}
}
