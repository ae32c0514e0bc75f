import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFileLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { item } from '../params';
import { client, deleteNode, locate, permanentlyOption } from '../shared';

export const description: INodeProperties[] = forOperation('file', 'delete', [megaFileLocator(), permanentlyOption]);

/** To the Rubbish Bin (restorable) unless "Delete Permanently" is on. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const file = await locate(this, mega, 'file', itemIndex, 'file');
	return [item(await deleteNode(this, mega, file, itemIndex), itemIndex)];
}
