import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { iterateObjects, normalizeFolderPrefix } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation, limitField, returnAllField } from '../common.descriptions';
import { bucketParameter, cancelSignal, limitParameter, stringParameter } from '../params';

export const description: INodeProperties[] = forOperation('folder', 'getAll', [
	bucketLocator(),
	{
		displayName: 'Parent Folder',
		name: 'parentFolder',
		type: 'string',
		default: '',
		placeholder: 'e.g. reports/',
		description: 'List the folders directly inside this one; empty = the top level of the bucket',
	},
	returnAllField,
	limitField,
]);

/** Sub-folders (common prefixes) directly below the parent, whether they have a marker object or only files. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const prefix = normalizeFolderPrefix(stringParameter(this, 'parentFolder', itemIndex));
	const limit = limitParameter(this, itemIndex);
	const out: INodeExecutionData[] = [];
	for await (const entry of iterateObjects(client, { bucket: bucketParameter(this, itemIndex), prefix, delimiter: '/', signal: cancelSignal(this) })) {
		if (entry.type !== 'folder') continue;
		out.push({ json: { ...entry }, pairedItem: { item: itemIndex } });
		if (limit !== undefined && out.length >= limit) break;
	}
	return out;
}
