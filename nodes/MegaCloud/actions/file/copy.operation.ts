import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFileLocator, megaFolderLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson, stringParameter } from '../params';
import { client, locate } from '../shared';

export const description: INodeProperties[] = forOperation('file', 'copy', [
	megaFileLocator(),
	megaFolderLocator({ name: 'destination', displayName: 'Destination Folder' }),
	{
		displayName: 'New Name',
		name: 'newName',
		type: 'string',
		default: '',
		placeholder: 'e.g. report (copy).pdf',
		description: 'Name of the copy; leave empty to keep the name',
	},
]);

/** A server-side copy: no bytes are transferred. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const file = await locate(this, mega, 'file', itemIndex, 'file');
	const destination = await locate(this, mega, 'destination', itemIndex, 'folder', { label: 'Destination Folder' });
	const newName = stringParameter(this, 'newName', itemIndex).trim();
	const copy = await mega.copy({ handle: file.handle }, { handle: destination.handle }, { signal: cancelSignal(this), ...(newName ? { name: newName } : {}) });
	return [item(nodeJson(copy), itemIndex)];
}
