import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFileLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { item } from '../params';
import { client, createLink, linkOptions, locate } from '../shared';

export const description: INodeProperties[] = forOperation('file', 'createLink', [megaFileLocator(), linkOptions]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const file = await locate(this, mega, 'file', itemIndex, 'file');
	return [item(await createLink(this, mega, file, itemIndex), itemIndex)];
}
