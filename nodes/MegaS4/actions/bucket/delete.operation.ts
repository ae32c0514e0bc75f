import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { deleteBucket } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation } from '../common.descriptions';
import { bucketParameter, cancelSignal } from '../params';

export const description: INodeProperties[] = forOperation('bucket', 'delete', [
	bucketLocator({ description: 'The bucket to delete; it must be empty' }),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const result = await deleteBucket(client, bucketParameter(this, itemIndex), cancelSignal(this));
	return [{ json: { ...result }, pairedItem: { item: itemIndex } }];
}
