import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFolderLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { item } from '../params';
import { client, createLink, linkOptions, locate } from '../shared';

export const description: INodeProperties[] = forOperation('folder', 'createLink', [megaFolderLocator(), linkOptions]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const folder = await locate(this, mega, 'folder', itemIndex, 'folder');
	return [item(await createLink(this, mega, folder, itemIndex), itemIndex)];
}
