import type { ICredentialType, IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

/** Test-only credential for the counter trigger: proves credentials reach a poll context. */
export class HarnessCounterApi implements ICredentialType {
	name = 'harnessCounterApi';
	displayName = 'Harness Counter API';
	properties = [{ displayName: 'Label', name: 'label', type: 'string' as const, default: '' }];
}

/**
 * Test-only polling trigger. Its cursor (`next`) lives in `getWorkflowStaticData('node')`, like the MEGA
 * Trigger's: the first poll only records where to start and emits nothing (no replay on activation);
 * each later poll emits `batch` numbered items and moves the cursor. Manual mode emits a sample and
 * leaves the cursor alone.
 */
export class CounterTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Counter Trigger',
		name: 'counterTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Test-only: emits increasing numbers, cursor in static data',
		defaults: { name: 'Counter Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'harnessCounterApi', required: false }],
		properties: [
			{ displayName: 'Start', name: 'start', type: 'number', default: 1 },
			{ displayName: 'Batch', name: 'batch', type: 'number', default: 2 },
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const cursor = this.getWorkflowStaticData('node') as IDataObject & { next?: number };
		const batch = this.getNodeParameter('batch') as number;
		const label = this.getNode().credentials?.harnessCounterApi ? ((await this.getCredentials('harnessCounterApi')).label as string) : null;
		const from = cursor.next ?? (this.getNodeParameter('start') as number);
		const numbers = Array.from({ length: batch }, (_, k) => from + k);
		const items = (values: number[]) => [values.map((n) => ({ json: { n, label, activation: this.getActivationMode() } }))];

		if (this.getMode() === 'manual') return items(numbers.slice(0, 1));
		if (cursor.next === undefined) {
			cursor.next = from;
			return null;
		}
		cursor.next = from + batch;
		return items(numbers);
	}
}
