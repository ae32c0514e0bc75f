import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFolderLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { item, nodeJson } from '../params';
import { client, locate } from '../shared';

export const description: INodeProperties[] = forOperation('folder', 'get', [megaFolderLocator()]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	return [item(nodeJson(await locate(this, mega, 'folder', itemIndex, 'folder')), itemIndex)];
}
