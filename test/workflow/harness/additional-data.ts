import type { ExecutionLifecycleHooks } from 'n8n-core';
import type { ICredentialsHelper, IWorkflowExecuteAdditionalData } from 'n8n-workflow';

const BASE_URL = 'http://localhost:5678';

/**
 * The per-execution services n8n's CLI normally wires in, reduced to what a node in this package can reach.
 * A plain object (not a jest mock) so the harness also runs outside jest, e.g. in a memory test's child
 * process; optional services stay undefined, which the engine checks for. The URLs must parse:
 * `getAdditionalKeys` builds resume URLs from them even when nothing waits.
 */
export function createAdditionalData(options: {
	credentialsHelper: ICredentialsHelper;
	executionId?: string;
	hooks?: ExecutionLifecycleHooks;
	workflowId?: string;
}): IWorkflowExecuteAdditionalData {
	const notAvailable = (what: string) => () => {
		throw new Error(`${what} is not available in the workflow harness`);
	};
	const additionalData: Partial<IWorkflowExecuteAdditionalData> & { hooks?: ExecutionLifecycleHooks } = {
		credentialsHelper: options.credentialsHelper,
		executionId: options.executionId,
		workflowId: options.workflowId,
		hooks: options.hooks,
		currentNodeExecutionIndex: 0,
		variables: {},
		restApiUrl: `${BASE_URL}/rest`,
		instanceBaseUrl: BASE_URL,
		formBaseUrl: `${BASE_URL}/form`,
		formWaitingBaseUrl: `${BASE_URL}/form-waiting`,
		formTestBaseUrl: `${BASE_URL}/form-test`,
		webhookBaseUrl: `${BASE_URL}/webhook`,
		webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
		mcpBaseUrl: `${BASE_URL}/mcp`,
		mcpTestBaseUrl: `${BASE_URL}/mcp-test`,
		executeWorkflow: notAvailable('Executing a sub-workflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: notAvailable('The task runner (Code node)'),
	};
	return additionalData as IWorkflowExecuteAdditionalData;
}
