/**
 * MEGA Trigger -> MEGA Cloud Download -> Read, in n8n's engine against the sandbox: the trigger item's handle feeds
 * the download directly. Once as an active workflow does it (a poll emits; the execution starts from the trigger's
 * items, which n8n passes on unchanged) and once as the editor's manual run (the trigger's test event flows on).
 */
import { createHash } from 'node:crypto';

import { MegaApi } from '../../../credentials/MegaApi.credentials';
import { MegaCloud } from '../../../nodes/MegaCloud/MegaCloud.node';
import { MegaTrigger } from '../../../nodes/MegaTrigger/MegaTrigger.node';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { megaNodeTypes, removeHarnessUserFolder, runWorkflow, type WorkflowNode } from '../harness';
import { ReadStream } from '../harness/dummy-nodes/ReadStream';
import { byId, newAccount, simulateRestart, triggerPoller, type TriggerAccount } from './support';

const nodeTypes = megaNodeTypes(new MegaTrigger(), new MegaCloud(), new ReadStream());
const main = (node: string) => ({ main: [[{ node, type: 'main' as const, index: 0 }]] });

let sandbox: MegaSandbox;
beforeAll(async () => {
	sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 1_000 });
});
afterAll(async () => {
	await sandbox.close();
	removeHarnessUserFolder();
});
afterEach(() => simulateRestart());

function workflowNodes(folder: string): WorkflowNode[] {
	return [
		{ name: 'MEGA Trigger', type: 'n8n-nodes-mega.megaTrigger', parameters: { events: ['fileAdded'], folder: byId(folder) } },
		{
			name: 'Download',
			type: 'n8n-nodes-mega.megaCloud',
			parameters: { resource: 'file', operation: 'download', file: { __rl: true, mode: 'id', value: '={{ $json.handle }}' } },
		},
		{ name: 'Read', type: 'n8n-nodes-mega.readStream', parameters: { binaryPropertyName: 'data' } },
	];
}
const connections = { 'MEGA Trigger': main('Download'), Download: main('Read') };
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function setup(): Promise<{ who: TriggerAccount; folder: string }> {
	const who = await newAccount(sandbox, 'flow');
	return { who, folder: await sandbox.client(who.email).mkdir('Incoming') };
}

it('an emitted poll starts a run in which MEGA Cloud downloads the added file by the item handle (streamed, same bytes)', async () => {
	const { who, folder } = await setup();
	const poller = triggerPoller(who, { events: ['fileAdded'], folder: byId(folder) });
	await poller.poll();
	const body = Buffer.alloc(1_500_000);
	for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
	await sandbox.client(who.email).upload('scan.pdf', body, folder);
	const polled = await poller.poll();
	expect(polled.items).toHaveLength(1);

	const result = await runWorkflow({
		nodes: workflowNodes(folder),
		connections,
		nodeTypes,
		credentials: { megaApi: who.credential },
		credentialTypes: [new MegaApi()],
		// An active workflow's execution starts with the poll's items as the trigger's output (n8n passes them through).
		startNode: 'Download',
		input: polled.items,
	});
	expect(result.error).toBeUndefined();
	expect(result.output('Download')[0].json).toMatchObject({ handle: polled.items[0].json.handle, name: 'scan.pdf' });
	expect(result.output('Read')[0].json).toMatchObject({ sha256: sha256(body), size: body.length, streamed: true });
});

it("a manual run takes the trigger's test event (the newest matching file) through the download", async () => {
	const { who, folder } = await setup();
	await sandbox.client(who.email).upload('older.txt', Buffer.from('older'), folder, { mtime: 1_600_000_000 });
	await sandbox.client(who.email).upload('newest.txt', Buffer.from('newest'), folder, { mtime: 1_700_000_000 });
	const result = await runWorkflow({
		nodes: workflowNodes(folder),
		connections,
		nodeTypes,
		credentials: { megaApi: who.credential },
		credentialTypes: [new MegaApi()],
		startNode: 'MEGA Trigger',
	});
	expect(result.error).toBeUndefined();
	expect(result.output('MEGA Trigger').map((item) => item.json.name)).toEqual(['newest.txt']);
	expect(result.output('Read')[0].json).toMatchObject({ sha256: sha256(Buffer.from('newest')), size: 6 });
});
