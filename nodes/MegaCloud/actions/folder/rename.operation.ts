import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFolderLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson, stringParameter } from '../params';
import { client, locate } from '../shared';

export const description: INodeProperties[] = forOperation('folder', 'rename', [
	megaFolderLocator(),
	{ displayName: 'New Name', name: 'newName', type: 'string', default: '', required: true, placeholder: 'e.g. Archive 2025' },
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const folder = await locate(this, mega, 'folder', itemIndex, 'folder');
	return [item(nodeJson(await mega.rename({ handle: folder.handle }, stringParameter(this, 'newName', itemIndex).trim(), { signal: cancelSignal(this) })), itemIndex)];
}
