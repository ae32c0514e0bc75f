import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFileLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson } from '../params';
import { client, locate } from '../shared';

export const description: INodeProperties[] = forOperation('file', 'deleteLink', [megaFileLocator()]);

/** Removes the public link; anyone holding it can no longer open the file. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const file = await locate(this, mega, 'file', itemIndex, 'file');
	return [item(nodeJson(await mega.removeLink({ handle: file.handle }, { signal: cancelSignal(this) })), itemIndex)];
}
