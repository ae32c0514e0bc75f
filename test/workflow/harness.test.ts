import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import type { IConnections } from 'n8n-workflow';

import { runInChild } from '../support/run-in-child';
import { createPoller, megaNodeTypes, removeHarnessUserFolder, runPoll, runWorkflow, type WorkflowNode } from './harness';
import { CounterTrigger, HarnessCounterApi } from './harness/dummy-nodes/CounterTrigger';
import { FailOnFlag } from './harness/dummy-nodes/FailOnFlag';
import { HarnessGenericApi, HarnessSessionApi, HttpProbe } from './harness/dummy-nodes/HttpProbe';
import { MakeStream } from './harness/dummy-nodes/MakeStream';
import { ReadStream } from './harness/dummy-nodes/ReadStream';

const FIVE_MIB = 5 * 1024 * 1024;
const nodeTypes = megaNodeTypes(new MakeStream(), new ReadStream(), new FailOnFlag(), new HttpProbe());
const main = (node: string) => ({ main: [[{ node, type: 'main' as const, index: 0 }]] });

afterAll(() => removeHarnessUserFolder());

describe('binary data through the real engine', () => {
	const nodes: WorkflowNode[] = [
		{ name: 'Make', type: 'n8n-nodes-mega.makeStream', parameters: { fileName: 'five.bin' } },
		{ name: 'Read', type: 'n8n-nodes-mega.readStream' },
	];
	const connections: IConnections = { Make: main('Read') };

	test('filesystem mode stores the stream as a filesystem-v2 binary and the next node reads it as a stream', async () => {
		const result = await runWorkflow({ nodes, connections, nodeTypes, binaryMode: 'filesystem' });

		expect(result.error).toBeUndefined();
		const [made] = result.output('Make');
		expect(made.binary?.data.id).toMatch(/^filesystem-v2:workflows\/harnessWorkflow\/executions\/[^/]+\/binary_data\//);
		expect(made.binary?.data.bytes).toBe(FIVE_MIB);
		const [read] = result.output('Read');
		expect(read.json).toMatchObject({
			sha256: made.json.sha256,
			size: FIVE_MIB,
			streamed: true,
			idPrefix: 'filesystem-v2:',
			metadataSize: FIVE_MIB,
			fileName: 'five.bin',
			mimeType: 'application/octet-stream',
		});
		expect(read.json.chunks).toBeGreaterThan(1);
	});

	test('memory mode keeps the same workflow working on the base64 buffer path', async () => {
		const result = await runWorkflow({ nodes, connections, nodeTypes, binaryMode: 'memory' });

		expect(result.error).toBeUndefined();
		const [made] = result.output('Make');
		expect(made.binary?.data.id).toBeUndefined();
		expect(Buffer.from(made.binary!.data.data, 'base64')).toHaveLength(FIVE_MIB);
		expect(result.output('Read')[0].json).toMatchObject({ sha256: made.json.sha256, size: FIVE_MIB, streamed: false, idPrefix: null });
	});

	test('runs in different modes may be started together: the second waits for the first', async () => {
		const [fs, memory] = await Promise.all([
			runWorkflow({ nodes, connections, nodeTypes, binaryMode: 'filesystem' }),
			runWorkflow({ nodes, connections, nodeTypes, binaryMode: 'memory' }),
		]);
		expect(fs.output('Read')[0].json.streamed).toBe(true);
		expect(memory.output('Read')[0].json.streamed).toBe(false);
	});

	test('input items and the start node can be chosen', async () => {
		const result = await runWorkflow({
			nodes,
			connections,
			nodeTypes,
			startNode: 'Make',
			input: [{ json: {} }, { json: {} }],
		});
		const read = result.output('Read');
		expect(read).toHaveLength(2);
		expect(read.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(read[0].json.sha256).not.toBe(read[1].json.sha256);
	});
});

describe('memory, measured in a fresh child process', () => {
	const MIB = 1024 * 1024;
	const target = join(__dirname, 'harness/fixtures/stream-workflow.ts');
	interface Seen {
		made: { sha256: string };
		read: { sha256: string; size: number; streamed: boolean };
	}

	test('200 MiB through the engine in filesystem mode is streamed: RSS grows by far less than the file', async () => {
		const { result, memory } = await runInChild<Seen>(target, 'streamThroughEngine', { mib: 200, binaryMode: 'filesystem' });
		expect(result.read).toMatchObject({ sha256: result.made.sha256, size: 200 * MIB, streamed: true });
		expect(memory.peakRssGrowthBytes).toBeLessThan(100 * MIB);
	});

	test('memory mode really buffers: the same workflow costs more than the file itself', async () => {
		const { result, memory } = await runInChild<Seen>(target, 'streamThroughEngine', { mib: 64, binaryMode: 'memory' });
		expect(result.read).toMatchObject({ sha256: result.made.sha256, size: 64 * MIB, streamed: false });
		expect(memory.peakRssGrowthBytes).toBeGreaterThan(64 * MIB);
	});
});

describe('errors', () => {
	const input = [{ json: { id: 1 } }, { json: { id: 2, fail: true } }];

	test('a failing node ends the run with its error, which the result exposes', async () => {
		const result = await runWorkflow({ nodes: [{ name: 'Fail', type: 'n8n-nodes-mega.failOnFlag' }], connections: {}, nodeTypes, input });

		expect(result.error?.message).toBe('Item 1 asked to fail');
		expect(() => result.output('Fail')).toThrow('Item 1 asked to fail');
	});

	test('continueOnFail turns the failure into an { error } item paired with its input', async () => {
		const result = await runWorkflow({
			nodes: [{ name: 'Fail', type: 'n8n-nodes-mega.failOnFlag', onError: 'continueRegularOutput' }],
			connections: {},
			nodeTypes,
			input,
		});

		expect(result.error).toBeUndefined();
		expect(result.output('Fail')).toEqual([
			{ json: { id: 1, passed: true }, pairedItem: { item: 0 } },
			{ json: { error: 'Item 1 asked to fail' }, pairedItem: { item: 1 } },
		]);
	});

	test('the error output receives the failed items when the node routes errors there', async () => {
		const result = await runWorkflow({
			nodes: [{ name: 'Fail', type: 'n8n-nodes-mega.failOnFlag', onError: 'continueErrorOutput' }],
			connections: {},
			nodeTypes,
			input,
		});

		expect(result.output('Fail', 0, 0).map((item) => item.json)).toEqual([{ id: 1, passed: true }]);
		expect(result.output('Fail', 0, 1).map((item) => item.json)).toEqual([{ error: 'Item 1 asked to fail' }]);
	});

	test('asking for a node that never ran names the nodes that did', async () => {
		const result = await runWorkflow({ nodes: [{ name: 'Fail', type: 'n8n-nodes-mega.failOnFlag' }], connections: {}, nodeTypes });
		expect(() => result.output('Nope')).toThrow('Node "Nope" has no run 0 (nodes that ran: Fail)');
	});
});

describe('credentials', () => {
	let server: Server;
	let baseUrl: string;
	let logins = 0;
	let expiredSessions = new Set<string>();

	beforeAll(async () => {
		server = createServer((request: IncomingMessage, response: ServerResponse) => {
			const url = new URL(request.url ?? '/', 'http://localhost');
			const send = (status: number, body: unknown) => {
				response.writeHead(status, { 'content-type': 'application/json' });
				response.end(JSON.stringify(body));
			};
			if (url.pathname === '/login') {
				let text = '';
				request.on('data', (chunk: Buffer) => (text += chunk.toString()));
				request.on('end', () => {
					if ((JSON.parse(text) as { password: string }).password !== 'secret') return send(403, { error: 'bad password' });
					send(200, { session: `session-${++logins}` });
				});
				return;
			}
			const session = request.headers['x-session'] as string | undefined;
			if (session !== undefined && expiredSessions.has(session)) return send(401, { error: 'expired' });
			send(200, { session: session ?? null, authorization: request.headers.authorization ?? null, client: url.searchParams.get('client') });
		});
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});

	afterAll(async () => {
		server.close();
		await once(server, 'close');
	});

	beforeEach(() => {
		logins = 0;
		expiredSessions = new Set();
	});

	const probe = (authentication: string): WorkflowNode[] => [
		{ name: 'Probe', type: 'n8n-nodes-mega.httpProbe', parameters: { authentication, url: `${baseUrl}/echo` } },
	];

	test('a registered credential type logs in once (preAuthentication) and authenticates every request', async () => {
		const result = await runWorkflow({
			nodes: probe('session'),
			connections: {},
			nodeTypes,
			credentials: { harnessSessionApi: { baseUrl, password: 'secret', session: '' } },
			credentialTypes: [new HarnessSessionApi()],
			input: [{ json: {} }, { json: {} }],
		});

		expect(result.error).toBeUndefined();
		expect(result.output('Probe').map((item) => item.json.session)).toEqual(['session-1', 'session-1']);
		expect(result.credentialsHelper.preAuthenticationCalls).toEqual({ harnessSessionApi: 1 });
	});

	test('a registered credential type fills fields the map leaves out with their defaults', async () => {
		const result = await runWorkflow({
			nodes: probe('session'),
			connections: {},
			nodeTypes,
			credentials: { harnessSessionApi: { password: 'secret' } },
			credentialTypes: [new HarnessSessionApi({ baseUrl })],
		});

		expect(result.error).toBeUndefined();
		expect(result.output('Probe')[0].json.session).toBe('session-1');
	});

	test('a 401 makes the engine log in again and retry with the new session', async () => {
		expiredSessions.add('old-session');
		const result = await runWorkflow({
			nodes: probe('session'),
			connections: {},
			nodeTypes,
			credentials: { harnessSessionApi: { baseUrl, password: 'secret', session: 'old-session' } },
			credentialTypes: [new HarnessSessionApi()],
		});

		expect(result.error).toBeUndefined();
		expect(result.output('Probe')[0].json.session).toBe('session-1');
	});

	test('generic authentication resolves {{$credentials.…}} into headers and query', async () => {
		const result = await runWorkflow({
			nodes: probe('generic'),
			connections: {},
			nodeTypes,
			credentials: { harnessGenericApi: { apiKey: 'k-123' } },
			credentialTypes: [new HarnessGenericApi()],
		});

		expect(result.error).toBeUndefined();
		expect(result.output('Probe')[0].json).toMatchObject({ authorization: 'Bearer k-123', client: 'harness', session: null });
	});

	test('without the credential type registered, requests go out undecorated', async () => {
		const result = await runWorkflow({ nodes: probe('generic'), connections: {}, nodeTypes, credentials: { harnessGenericApi: { apiKey: 'k-123' } } });
		expect(result.output('Probe')[0].json).toMatchObject({ authorization: null, client: null });
	});

	test('a missing credential fails the run with a message naming it', async () => {
		const result = await runWorkflow({ nodes: probe('generic'), connections: {}, nodeTypes });
		expect(result.error?.message).toMatch(/credentials/i);
	});
});

describe('poll runner', () => {
	test('the cursor lives in node static data and carries over between polls', async () => {
		const nodeType = new CounterTrigger();
		const first = await runPoll({ node: { parameters: { start: 10, batch: 3 } }, nodeType });
		expect(first).toMatchObject({ emitted: false, items: [], staticDataChanged: true, nodeStaticData: { next: 10 } });
		expect(first.staticData).toEqual({ 'node:Counter Trigger': { next: 10 } });

		const second = await runPoll({ node: { parameters: { start: 10, batch: 3 } }, nodeType, staticData: first.staticData });
		expect(second.emitted).toBe(true);
		expect(second.items.map((item) => item.json.n)).toEqual([10, 11, 12]);
		expect(second.nodeStaticData).toEqual({ next: 13 });

		const third = await runPoll({ node: { parameters: { start: 10, batch: 3 } }, nodeType, staticData: second.staticData });
		expect(third.items.map((item) => item.json.n)).toEqual([13, 14, 15]);
	});

	test('createPoller persists static data itself; manual mode and activation mode reach the node', async () => {
		const poller = createPoller({
			node: { name: 'Tick', parameters: { batch: 1 } },
			nodeType: new CounterTrigger(),
			credentials: { harnessCounterApi: { label: 'from-credentials' } },
			credentialTypes: [new HarnessCounterApi()],
			activation: 'init',
		});
		expect((await poller.poll()).emitted).toBe(false);
		const emitted = await poller.poll();
		expect(emitted.items).toEqual([{ json: { n: 1, label: 'from-credentials', activation: 'init' } }]);

		const manual = await poller.poll({ mode: 'manual' });
		expect(manual.items.map((item) => item.json.n)).toEqual([2]);
		expect(manual.staticDataChanged).toBe(false);
		expect(poller.staticData).toEqual({ 'node:Tick': { next: 2 } });
	});
});
