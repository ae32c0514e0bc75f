import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runOperations, type OperationResources } from '../../shared';
import * as bucket from './bucket/Bucket.resource';
import * as folder from './folder/Folder.resource';
import * as object from './object/Object.resource';

const resources: OperationResources = { bucket, object, folder };

/** Runs the chosen operation for every item (see runOperations for pairing and continueOnFail). */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return runOperations.call(this, resources);
}
