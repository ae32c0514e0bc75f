import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { headObject } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation, keyField } from '../common.descriptions';
import { bucketParameter, cancelSignal, stringParameter } from '../params';

export const description: INodeProperties[] = forOperation('object', 'get', [bucketLocator(), keyField()]);

/** Size, type, ETag, metadata and last-modified, without the body. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const info = await headObject(client, bucketParameter(this, itemIndex), stringParameter(this, 'key', itemIndex).replace(/^\/+/, ''), cancelSignal(this));
	return [{ json: { ...info }, pairedItem: { item: itemIndex } }];
}
