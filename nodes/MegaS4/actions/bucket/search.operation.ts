import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { iterateObjects } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation, limitField, returnAllField } from '../common.descriptions';
import { bucketParameter, cancelSignal, limitParameter, optionsParameter, stringParameter } from '../params';

export const description: INodeProperties[] = forOperation('bucket', 'search', [
	bucketLocator(),
	{
		displayName: 'Prefix',
		name: 'prefix',
		type: 'string',
		default: '',
		placeholder: 'e.g. invoices/2026-',
		description: 'Only objects whose key starts with this text; empty = every object in the bucket',
	},
	returnAllField,
	limitField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Start After',
				name: 'startAfter',
				type: 'string',
				default: '',
				description: 'Only keys that sort after this key',
			},
		],
	},
]);

/** Objects by prefix, recursive (no delimiter), following continuation tokens. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const options = optionsParameter(this, itemIndex);
	const out: INodeExecutionData[] = [];
	for await (const entry of iterateObjects(client, {
		bucket: bucketParameter(this, itemIndex),
		prefix: stringParameter(this, 'prefix', itemIndex),
		startAfter: options.startAfter ? String(options.startAfter) : undefined,
		limit: limitParameter(this, itemIndex),
		signal: cancelSignal(this),
	})) {
		out.push({ json: { ...entry }, pairedItem: { item: itemIndex } });
	}
	return out;
}
