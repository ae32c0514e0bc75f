import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { createBucket } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { forOperation } from '../common.descriptions';
import { cancelSignal, stringParameter } from '../params';

export const description: INodeProperties[] = forOperation('bucket', 'create', [
	{
		displayName: 'Bucket Name',
		name: 'bucketName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. my-reports-2026',
		description: '3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit',
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const name = stringParameter(this, 'bucketName', itemIndex).trim();
	const result = await createBucket(client, name, cancelSignal(this));
	return [{ json: { ...result }, pairedItem: { item: itemIndex } }];
}
