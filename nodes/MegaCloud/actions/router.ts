import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../../shared';
import { cancelSignal } from './params';
import * as account from './account/Account.resource';
import * as file from './file/File.resource';
import * as folder from './folder/Folder.resource';
import * as publicLink from './publicLink/PublicLink.resource';
import * as rubbishBin from './rubbishBin/RubbishBin.resource';
import * as search from './search/Search.resource';

type OperationModule = { execute: (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]> };

export const resources: Record<string, Record<string, OperationModule | unknown>> = { file, folder, publicLink, rubbishBin, search, account };

function operationFor(resource: string, operation: string): OperationModule | undefined {
	const candidate = resources[resource]?.[operation] as OperationModule | undefined;
	return candidate && typeof candidate.execute === 'function' ? candidate : undefined;
}

/** One item at a time; every output item is paired with its input; continueOnFail gives `{ error }` items. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex) as string;
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const handler = operationFor(resource, operation);
			if (!handler) {
				throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known for "${resource}"`, {
					itemIndex,
					description: 'Pick an operation from the list.',
				});
			}
			const results = await handler.execute.call(this, itemIndex);
			for (const result of results) out.push({ ...result, pairedItem: result.pairedItem ?? { item: itemIndex } });
		} catch (error) {
			if (cancelSignal(this)?.aborted) {
				// Stopped by the user: say so in words n8n recognises ("canceled"), so the run counts as cancelled, not failed.
				throw new NodeOperationError(this.getNode(), 'The execution was canceled; the MEGA transfer stopped and left nothing half-made', { itemIndex });
			}
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
