import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { deleteObjects } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation } from '../common.descriptions';
import { bucketParameter, cancelSignal } from '../params';

export const description: INodeProperties[] = forOperation('object', 'deleteMany', [
	bucketLocator(),
	{
		displayName: 'Keys',
		name: 'keys',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. reports/a.pdf, reports/b.pdf',
		description: 'Keys to delete, separated by commas or new lines, or an array from an expression. Sent in batches of 1,000.',
	},
]);

export function parseKeys(value: unknown): string[] {
	const raw = Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[\n,]/);
	return [...new Set(raw.map((k) => k.trim().replace(/^\/+/, '')).filter((k) => k !== ''))];
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const keys = parseKeys(this.getNodeParameter('keys', itemIndex, ''));
	if (keys.length === 0) {
		throw new NodeOperationError(this.getNode(), 'No keys to delete', { itemIndex, description: 'Enter one or more keys, separated by commas or new lines.' });
	}
	const result = await deleteObjects(client, bucketParameter(this, itemIndex), keys, cancelSignal(this));
	return [
		{
			json: { bucket: result.bucket, deletedCount: result.deleted.length, deleted: result.deleted, errors: result.errors },
			pairedItem: { item: itemIndex },
		},
	];
}
