import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionError,
	ICredentialType,
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	IRun,
	IWorkflowBase,
} from 'n8n-workflow';
import { createRunExecutionData, setSafeRegexEngine, Workflow } from 'n8n-workflow';

import { createAdditionalData } from './additional-data';
import { type BinaryMode, withBinaryMode } from './binary-data';
import { type CredentialMap, TestCredentialsHelper } from './credentials-helper';
import { type NodeTypeMap, TestNodeTypes } from './node-types';

/** A node as it appears in workflow JSON; `id`, `typeVersion`, `position` and `parameters` may be left out. */
export type WorkflowNode = Omit<INode, 'id' | 'typeVersion' | 'position' | 'parameters'> & Partial<Pick<INode, 'id' | 'typeVersion' | 'position' | 'parameters'>>;

export interface RunWorkflowOptions {
	nodes: WorkflowNode[];
	connections: IConnections;
	/** Type string (`n8n-nodes-mega.<name>`, see `megaNodeTypes`) -> node implementation. */
	nodeTypes: NodeTypeMap;
	/** Decrypted credentials by credential type name. Nodes get a reference for every type they declare and the map holds. */
	credentials?: CredentialMap;
	/** Credential types whose `authenticate`/`preAuthentication` should apply to `httpRequestWithAuthentication`. */
	credentialTypes?: ICredentialType[];
	/** Default `filesystem` (n8n 2.x regular mode); `memory` is n8n 1.x's default, binaries as base64 in the item. */
	binaryMode?: BinaryMode;
	/** The node the run starts at; default: the first node without an incoming connection. */
	startNode?: string;
	/** Items fed to the start node; default one empty item. */
	input?: INodeExecutionData[];
	/** Workflow static data to start from (what n8n keeps per workflow between executions). */
	staticData?: IDataObject;
	/** Cancels the execution when aborted, as n8n's "stop execution" does (nodes see getExecutionCancelSignal() abort). */
	cancelSignal?: AbortSignal;
}

export interface WorkflowRunResult {
	run: IRun;
	/** Items that `nodeName` emitted on output `outputIndex` (default 0; 1 = error output) of run `runIndex`. Throws if it never ran. */
	output(nodeName: string, runIndex?: number, outputIndex?: number): INodeExecutionData[];
	/** The execution's error when a node failed without `continueOnFail`; undefined on success. */
	error?: ExecutionError;
	/** The credentials helper used: exposes `preAuthenticationCalls`. */
	credentialsHelper: TestCredentialsHelper;
	/** The workflow object after the run (its `staticData` included). */
	workflow: Workflow;
}

let executionCounter = 0;

/*
 * n8n-workflow checks parameter patterns (e.g. resource-locator validation) in a node:vm script with a 250 ms
 * wall-clock timeout; on a loaded test machine that watchdog fires on trivial patterns ("Regular expression execution
 * timed out"). The patterns checked are the nodes' own fixed ones, so the harness runs them natively.
 */
setSafeRegexEngine({
	exec: (pattern, input, flags) => new RegExp(pattern, flags).exec(input),
	test: (pattern, input, flags) => new RegExp(pattern, flags).test(input),
	replace: (pattern, input, flags, replacement) => input.replace(new RegExp(pattern, flags), replacement),
	matchAll: (pattern, input, flags) => Array.from(input.matchAll(new RegExp(pattern, flags?.includes('g') ? flags : `${flags ?? ''}g`))),
	split: (pattern, input, flags) => input.split(new RegExp(pattern, flags)),
});

/** Executes a workflow in-process through n8n-core's `WorkflowExecute`; resolves when the engine finishes, failed or not. */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
	const credentialsHelper = new TestCredentialsHelper({ ...(options.credentials ?? {}) }, options.credentialTypes);
	const nodeTypes = new TestNodeTypes(options.nodeTypes);
	const nodes = options.nodes.map((node, index) => completeNode(node, index, options));
	const workflowId = 'harnessWorkflow';
	const workflow = new Workflow({
		id: workflowId,
		name: 'harness',
		nodes,
		connections: options.connections,
		nodeTypes,
		active: false,
		settings: {},
		staticData: options.staticData,
	});

	const startName = options.startNode ?? defaultStartNode(nodes, options.connections);
	const startNode = workflow.getNode(startName);
	if (!startNode) throw new Error(`Start node "${startName}" is not in the workflow`);

	const executionId = `harness-${process.pid}-${++executionCounter}`;
	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: 'harness',
		active: false,
		activeVersionId: null,
		isArchived: false,
		nodes,
		connections: options.connections,
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
	};
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	const additionalData = createAdditionalData({ credentialsHelper, executionId, hooks, workflowId });
	const runData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [options.input ?? [{ json: {} }]] }, source: null }],
		},
	});

	const run = await withBinaryMode(options.binaryMode ?? 'filesystem', async () => {
		const execution = new WorkflowExecute(additionalData, 'manual', runData).processRunExecutionData(workflow);
		const cancel = () => execution.cancel();
		if (options.cancelSignal?.aborted) cancel();
		options.cancelSignal?.addEventListener('abort', cancel, { once: true });
		try {
			return await execution;
		} finally {
			options.cancelSignal?.removeEventListener('abort', cancel);
		}
	});

	return {
		run,
		error: run.data.resultData.error,
		credentialsHelper,
		workflow,
		output(nodeName, runIndex = 0, outputIndex = 0) {
			const taskData = run.data.resultData.runData[nodeName]?.[runIndex];
			if (!taskData) {
				const ran = Object.keys(run.data.resultData.runData).join(', ') || 'none';
				const cause = run.data.resultData.error ? `; the run failed: ${run.data.resultData.error.message}` : '';
				throw new Error(`Node "${nodeName}" has no run ${runIndex} (nodes that ran: ${ran})${cause}`);
			}
			if (taskData.error) throw taskData.error;
			return taskData.data?.main?.[outputIndex] ?? [];
		},
	};
}

/** Fills what the editor would: id, version, position, defaults for parameters, and credential references. */
function completeNode(node: WorkflowNode, index: number, options: RunWorkflowOptions): INode {
	const type = options.nodeTypes[node.type];
	const declared = type && 'nodeVersions' in type ? type.description.defaultVersion : (type?.description.version as number | number[] | undefined);
	const typeVersion = node.typeVersion ?? (Array.isArray(declared) ? Math.max(...declared) : (declared ?? 1));
	const completed: INode = structuredClone({
		...node,
		id: node.id ?? `node-${index}`,
		typeVersion,
		position: node.position ?? [index * 200, 0],
		parameters: node.parameters ?? {},
	}) as INode;
	const wanted = type ? credentialNames(type, typeVersion) : [];
	for (const name of wanted) {
		if (!options.credentials?.[name] || completed.credentials?.[name]) continue;
		completed.credentials = { ...completed.credentials, [name]: { id: `cred-${name}`, name } };
	}
	return completed;
}

function credentialNames(type: NodeTypeMap[string], version: number): string[] {
	const description = 'nodeVersions' in type ? type.getNodeType(version).description : type.description;
	return (description.credentials ?? []).map((credential) => credential.name);
}

function defaultStartNode(nodes: INode[], connections: IConnections): string {
	const destinations = new Set<string>();
	for (const outputs of Object.values(connections)) {
		for (const lists of Object.values(outputs)) {
			for (const list of lists) for (const connection of list ?? []) destinations.add(connection.node);
		}
	}
	const start = nodes.find((node) => !destinations.has(node.name));
	if (!start) throw new Error('Every node has an incoming connection; pass startNode');
	return start.name;
}
