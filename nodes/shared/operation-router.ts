import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { toNodeError } from './errors';

export type OperationModule = { execute: (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]> };

/** A node's resources: each maps operation names to `{ execute }` modules (other exports are ignored). */
export type OperationResources = Record<string, Record<string, OperationModule | unknown>>;

export interface RunOperationsOptions {
	/** Called first when an item fails; throwing from it ends the run (e.g. the user stopped the execution). */
	beforeItemError?: (this: IExecuteFunctions, itemIndex: number) => void;
}

function operationFor(resources: OperationResources, resource: string, operation: string): OperationModule | undefined {
	const candidate = resources[resource]?.[operation] as OperationModule | undefined;
	return candidate && typeof candidate.execute === 'function' ? candidate : undefined;
}

/** One item at a time; every output item is paired with its input; continueOnFail gives `{ error }` items. */
export async function runOperations(
	this: IExecuteFunctions,
	resources: OperationResources,
	options: RunOperationsOptions = {},
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex) as string;
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const handler = operationFor(resources, resource, operation);
			if (!handler) {
				throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known for "${resource}"`, {
					itemIndex,
					description: 'Pick an operation from the list.',
				});
			}
			const results = await handler.execute.call(this, itemIndex);
			for (const result of results) out.push({ ...result, pairedItem: result.pairedItem ?? { item: itemIndex } });
		} catch (error) {
			options.beforeItemError?.call(this, itemIndex);
			const nodeError = toNodeError(this.getNode(), error, itemIndex);
			if (this.continueOnFail()) {
				out.push({
					json: { error: nodeError.message, ...(nodeError.description ? { description: nodeError.description } : {}) },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			throw nodeError;
		}
	}
	return [out];
}
