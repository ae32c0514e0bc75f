import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { iterateObjects } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation, limitField, returnAllField } from '../common.descriptions';
import { bucketParameter, cancelSignal, limitParameter, optionsParameter } from '../params';

export const description: INodeProperties[] = forOperation('object', 'getAll', [
	bucketLocator(),
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
				displayName: 'Delimiter',
				name: 'delimiter',
				type: 'string',
				default: '/',
				description: 'Keys are grouped at this character, so sub-folders come back as folder items. Clear it to list every object below the prefix.',
			},
			{
				displayName: 'Prefix',
				name: 'prefix',
				type: 'string',
				default: '',
				placeholder: 'e.g. reports/2026/',
				description: 'Only keys starting with this text; use a folder path ending in "/" to list one folder',
			},
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

/** Objects and folders (CommonPrefixes) below a prefix; one item each, with `type: "object" | "folder"`. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const options = optionsParameter(this, itemIndex);
	const out: INodeExecutionData[] = [];
	for await (const entry of iterateObjects(client, {
		bucket: bucketParameter(this, itemIndex),
		prefix: options.prefix ? String(options.prefix) : undefined,
		delimiter: options.delimiter === undefined ? '/' : String(options.delimiter),
		startAfter: options.startAfter ? String(options.startAfter) : undefined,
		limit: limitParameter(this, itemIndex),
		signal: cancelSignal(this),
	})) {
		out.push({ json: { ...entry }, pairedItem: { item: itemIndex } });
	}
	return out;
}
