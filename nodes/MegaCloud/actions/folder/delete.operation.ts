import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFolderLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { item } from '../params';
import { client, deleteNode, locate, permanentlyOption } from '../shared';

export const description: INodeProperties[] = forOperation('folder', 'delete', [megaFolderLocator(), permanentlyOption]);

/** The folder and everything in it, to the Rubbish Bin unless "Delete Permanently" is on. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const folder = await locate(this, mega, 'folder', itemIndex, 'folder');
	return [item(await deleteNode(this, mega, folder, itemIndex), itemIndex)];
}
