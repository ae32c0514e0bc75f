import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

/**
 * Test-only node: passes items through and fails on those whose json has `fail: true`, with the
 * `continueOnFail()` branch every MEGA operation uses (an `{ error }` item with its `pairedItem`).
 */
export class FailOnFlag implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Fail On Flag',
		name: 'failOnFlag',
		group: ['transform'],
		version: 1,
		description: 'Test-only: fails items flagged with fail: true',
		defaults: { name: 'Fail On Flag' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				if (items[i].json.fail === true) {
					throw new NodeOperationError(this.getNode(), `Item ${i} asked to fail`, { itemIndex: i, description: 'Remove fail: true' });
				}
				out.push({ json: { ...items[i].json, passed: true }, pairedItem: { item: i } });
			} catch (error) {
				if (!this.continueOnFail()) throw error;
				out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
			}
		}
		return [out];
	}
}
