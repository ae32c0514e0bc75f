import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFileLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson } from '../params';
import { client, locate } from '../shared';

export const description: INodeProperties[] = forOperation('file', 'getVersions', [megaFileLocator()]);

/** One item per version, the current one first (`version` 0), then older ones, newest first. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const file = await locate(this, mega, 'file', itemIndex, 'file');
	const versions = await mega.versions({ handle: file.handle }, { signal: cancelSignal(this) });
	return versions.map((version, index) => item({ ...nodeJson(version), version: index, current: index === 0 }, itemIndex));
}
