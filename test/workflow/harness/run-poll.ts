import { PollContext } from 'n8n-core';
import type { ICredentialType, IDataObject, INodeExecutionData, INodeType, WorkflowActivateMode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { createAdditionalData } from './additional-data';
import { type BinaryMode, withBinaryMode } from './binary-data';
import { type CredentialMap, TestCredentialsHelper } from './credentials-helper';
import { PACKAGE_TYPE_PREFIX, TestNodeTypes } from './node-types';
import type { WorkflowNode } from './run-workflow';

export interface RunPollOptions {
	/** The trigger node as in workflow JSON; `type` defaults to `n8n-nodes-mega.<description.name>`. */
	node: Partial<WorkflowNode> & { name?: string };
	nodeType: INodeType;
	credentials?: CredentialMap;
	credentialTypes?: ICredentialType[];
	/** Workflow static data from the previous poll (`result.staticData`); empty on the first poll. */
	staticData?: IDataObject;
	/** `trigger` (an active workflow's timer, default) or `manual` ("Fetch Test Event" in the editor). */
	mode?: 'trigger' | 'manual';
	/** What `getActivationMode()` answers; default `activate`. */
	activation?: WorkflowActivateMode;
	/** What `getPollBudgetMs()` answers (n8n 2.41); default n8n's 5 minutes. */
	pollBudgetMs?: number;
	binaryMode?: BinaryMode;
}

export interface PollResult {
	/** The items of the execution the poll would start; empty when it returned null. */
	items: INodeExecutionData[];
	/** False when `poll()` returned null (n8n starts no execution). */
	emitted: boolean;
	/**
	 * The workflow static data as n8n would store it (JSON round trip, so a cursor that does not survive
	 * serialisation shows up here). Pass it to the next `runPoll` as `staticData`.
	 */
	staticData: IDataObject;
	/** This node's part of `staticData` (`getWorkflowStaticData('node')`). */
	nodeStaticData: IDataObject;
	/** Whether the poll changed static data: n8n writes it to the database only then. */
	staticDataChanged: boolean;
	credentialsHelper: TestCredentialsHelper;
}

/** Calls the trigger's `poll()` once on a real n8n `PollContext`, the way an active workflow's poller does. */
export async function runPoll(options: RunPollOptions): Promise<PollResult> {
	if (!options.nodeType.poll) throw new Error(`Node type "${options.nodeType.description.name}" has no poll()`);
	const credentialsHelper = new TestCredentialsHelper({ ...(options.credentials ?? {}) }, options.credentialTypes);
	const type = options.node.type ?? `${PACKAGE_TYPE_PREFIX}.${options.nodeType.description.name}`;
	const name = options.node.name ?? options.nodeType.description.defaults.name ?? 'Trigger';
	const credentialReferences = { ...options.node.credentials };
	for (const credential of options.nodeType.description.credentials ?? []) {
		if (options.credentials?.[credential.name] && !credentialReferences[credential.name]) {
			credentialReferences[credential.name] = { id: `cred-${credential.name}`, name: credential.name };
		}
	}
	const node = {
		id: 'trigger-node',
		typeVersion: defaultVersion(options.nodeType),
		position: [0, 0] as [number, number],
		parameters: {},
		...options.node,
		name,
		type,
		credentials: credentialReferences,
	};
	const workflow = new Workflow({
		id: 'harnessWorkflow',
		name: 'harness',
		nodes: [node],
		connections: {},
		nodeTypes: new TestNodeTypes({ [type]: options.nodeType }),
		active: true,
		settings: {},
		staticData: structuredClone(options.staticData ?? {}),
	});
	const additionalData = createAdditionalData({ credentialsHelper, workflowId: workflow.id });
	const budget = options.pollBudgetMs;
	const context = new PollContext(
		workflow,
		workflow.getNode(name)!,
		additionalData,
		options.mode ?? 'trigger',
		options.activation ?? 'activate',
		undefined,
		undefined,
		undefined,
		undefined,
		undefined,
		budget === undefined ? undefined : () => budget,
	);

	const result = await withBinaryMode(options.binaryMode ?? 'filesystem', async () => await options.nodeType.poll!.call(context));
	const staticDataChanged = workflow.staticData.__dataChanged === true;
	const staticData = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
	delete staticData.__dataChanged;
	return {
		items: result?.[0] ?? [],
		emitted: result !== null,
		staticData,
		nodeStaticData: (staticData[`node:${name}`] as IDataObject | undefined) ?? {},
		staticDataChanged,
		credentialsHelper,
	};
}

/**
 * A trigger whose static data carries over between polls, as in an active workflow: each `poll()` starts
 * from what the previous one left (after a JSON round trip, as n8n stores it).
 */
export function createPoller(options: Omit<RunPollOptions, 'staticData'> & { staticData?: IDataObject }) {
	let staticData: IDataObject = options.staticData ?? {};
	return {
		async poll(overrides: Partial<Omit<RunPollOptions, 'node' | 'nodeType' | 'staticData'>> = {}): Promise<PollResult> {
			const result = await runPoll({ ...options, ...overrides, staticData });
			staticData = result.staticData;
			return result;
		},
		get staticData(): IDataObject {
			return staticData;
		},
	};
}

function defaultVersion(nodeType: INodeType): number {
	const version = nodeType.description.version;
	return Array.isArray(version) ? Math.max(...version) : version;
}
