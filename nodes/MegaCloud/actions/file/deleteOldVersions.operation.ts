import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFileLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson } from '../params';
import { client, locate } from '../shared';

export const description: INodeProperties[] = forOperation('file', 'deleteOldVersions', [megaFileLocator()]);

/** Deletes every older version permanently and keeps the current one. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const file = await locate(this, mega, 'file', itemIndex, 'file');
	const updated = await mega.deleteVersions({ handle: file.handle }, { signal: cancelSignal(this) });
	return [item({ ...nodeJson(updated), deletedVersions: file.versionCount }, itemIndex)];
}
