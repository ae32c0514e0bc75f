import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { listBuckets } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { forOperation, limitField, returnAllField } from '../common.descriptions';
import { cancelSignal, limitParameter } from '../params';

export const description: INodeProperties[] = forOperation('bucket', 'getAll', [returnAllField, limitField]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const limit = limitParameter(this, itemIndex);
	const buckets = await listBuckets(client, cancelSignal(this));
	return buckets.slice(0, limit ?? buckets.length).map((bucket) => ({ json: { ...bucket }, pairedItem: { item: itemIndex } }));
}
