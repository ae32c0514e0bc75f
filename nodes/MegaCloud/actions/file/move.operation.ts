import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFileLocator, megaFolderLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson } from '../params';
import { client, locate } from '../shared';

export const description: INodeProperties[] = forOperation('file', 'move', [
	megaFileLocator(),
	megaFolderLocator({ name: 'destination', displayName: 'Destination Folder' }),
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const file = await locate(this, mega, 'file', itemIndex, 'file');
	const destination = await locate(this, mega, 'destination', itemIndex, 'folder', { label: 'Destination Folder' });
	return [item(nodeJson(await mega.move({ handle: file.handle }, { handle: destination.handle }, { signal: cancelSignal(this) })), itemIndex)];
}
