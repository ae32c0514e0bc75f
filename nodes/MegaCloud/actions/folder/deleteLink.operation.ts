import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFolderLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson } from '../params';
import { client, locate } from '../shared';

export const description: INodeProperties[] = forOperation('folder', 'deleteLink', [megaFolderLocator()]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const folder = await locate(this, mega, 'folder', itemIndex, 'folder');
	return [item(nodeJson(await mega.removeLink({ handle: folder.handle }, { signal: cancelSignal(this) })), itemIndex)];
}
