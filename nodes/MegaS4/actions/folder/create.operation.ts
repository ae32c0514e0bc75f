import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { createFolder } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation } from '../common.descriptions';
import { bucketParameter, cancelSignal, stringParameter } from '../params';

export const folderPathField: INodeProperties = {
	displayName: 'Folder Path',
	name: 'folderPath',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. reports/2026',
	description: 'The folder as a key prefix; a trailing "/" is added when missing',
};

export const description: INodeProperties[] = forOperation('folder', 'create', [bucketLocator(), folderPathField]);

/** An empty marker object "path/" so the folder shows up before it holds files. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const result = await createFolder(client, bucketParameter(this, itemIndex), stringParameter(this, 'folderPath', itemIndex), cancelSignal(this));
	return [{ json: { bucket: result.bucket, key: result.key, created: true }, pairedItem: { item: itemIndex } }];
}
