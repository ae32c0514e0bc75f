import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFolderLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson, stringParameter } from '../params';
import { client, locate } from '../shared';

export const description: INodeProperties[] = forOperation('folder', 'copy', [
	megaFolderLocator(),
	megaFolderLocator({ name: 'destination', displayName: 'Destination Folder' }),
	{
		displayName: 'New Name',
		name: 'newName',
		type: 'string',
		default: '',
		description: 'Name of the copy; leave empty to keep the name',
	},
]);

/** Copies the folder with everything in it, on the server. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const folder = await locate(this, mega, 'folder', itemIndex, 'folder');
	const destination = await locate(this, mega, 'destination', itemIndex, 'folder', { label: 'Destination Folder' });
	const newName = stringParameter(this, 'newName', itemIndex).trim();
	const copy = await mega.copy({ handle: folder.handle }, { handle: destination.handle }, { signal: cancelSignal(this), ...(newName ? { name: newName } : {}) });
	return [item(nodeJson(copy), itemIndex)];
}
