import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFileLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson, stringParameter } from '../params';
import { client, locate } from '../shared';

export const description: INodeProperties[] = forOperation('file', 'rename', [
	megaFileLocator(),
	{
		displayName: 'New Name',
		name: 'newName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. report-final.pdf',
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const file = await locate(this, mega, 'file', itemIndex, 'file');
	return [item(nodeJson(await mega.rename({ handle: file.handle }, stringParameter(this, 'newName', itemIndex).trim(), { signal: cancelSignal(this) })), itemIndex)];
}
