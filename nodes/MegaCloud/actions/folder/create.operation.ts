import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFolderLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson, stringParameter } from '../params';
import { client, locate } from '../shared';
import { MegaInputError } from '../../../shared';

export const description: INodeProperties[] = forOperation('folder', 'create', [
	{
		displayName: 'Folder Name or Path',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Reports/2026/Q1',
		description: 'The folder to create; with "/" every missing folder on the way is created too. Existing folders are reused.',
	},
	megaFolderLocator({ name: 'parent', displayName: 'Parent Folder', required: false, description: 'Where to create it; empty: the Cloud Drive root' }),
]);

/** `mkdir -p`: creates the missing folders in one request and outputs the last one. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const path = stringParameter(this, 'name', itemIndex).trim();
	if (path.split('/').every((part) => part.trim() === '')) {
		throw new MegaInputError('The folder name is empty', 'Enter a name such as "Reports" or a path such as "Reports/2026".');
	}
	const mega = await client(this);
	const parent = await locate(this, mega, 'parent', itemIndex, 'folder', { emptyMeansRoot: true, label: 'Parent Folder' });
	return [item(nodeJson(await mega.mkdir(path, { parent: { handle: parent.handle }, signal: cancelSignal(this) })), itemIndex)];
}
