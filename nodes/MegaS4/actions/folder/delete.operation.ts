import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { deletePrefix } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation } from '../common.descriptions';
import { bucketParameter, cancelSignal, stringParameter } from '../params';
import { folderPathField } from './create.operation';

export const description: INodeProperties[] = forOperation('folder', 'delete', [
	bucketLocator(),
	{ ...folderPathField, description: 'The folder to delete with everything in it (recursive, in batches of 1,000)' },
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const result = await deletePrefix(client, bucketParameter(this, itemIndex), stringParameter(this, 'folderPath', itemIndex), cancelSignal(this));
	return [
		{
			json: { bucket: result.bucket, key: result.prefix, deleted: result.errors.length === 0, deletedCount: result.deletedCount, errors: result.errors },
			pairedItem: { item: itemIndex },
		},
	];
}
