import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { runOperations, type OperationResources } from '../../shared';
import { cancelSignal } from './params';
import * as account from './account/Account.resource';
import * as file from './file/File.resource';
import * as folder from './folder/Folder.resource';
import * as publicLink from './publicLink/PublicLink.resource';
import * as rubbishBin from './rubbishBin/RubbishBin.resource';
import * as search from './search/Search.resource';

export const resources: OperationResources = { file, folder, publicLink, rubbishBin, search, account };

/** Runs the chosen operation for every item (see runOperations for pairing and continueOnFail). */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return runOperations.call(this, resources, {
		beforeItemError(this: IExecuteFunctions, itemIndex: number) {
			if (cancelSignal(this)?.aborted) {
				// Stopped by the user: say so in words n8n recognises ("canceled"), so the run counts as cancelled, not failed.
				throw new NodeOperationError(this.getNode(), 'The execution was canceled; the MEGA transfer stopped and left nothing half-made', { itemIndex });
			}
		},
	});
}
