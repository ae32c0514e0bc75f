import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { deleteObject } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation, keyField } from '../common.descriptions';
import { bucketParameter, cancelSignal, stringParameter } from '../params';

export const description: INodeProperties[] = forOperation('object', 'delete', [bucketLocator(), keyField()]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const result = await deleteObject(client, bucketParameter(this, itemIndex), stringParameter(this, 'key', itemIndex).replace(/^\/+/, ''), cancelSignal(this));
	return [{ json: { ...result }, pairedItem: { item: itemIndex } }];
}
