import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { MegaInputError } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item } from '../params';
import { client, locate } from '../shared';
import { rubbishItemLocator } from './common';

export const description: INodeProperties[] = forOperation('rubbishBin', 'deletePermanently', [rubbishItemLocator]);

/** Deletes one item of the Rubbish Bin for good (cannot be undone). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const node = await locate(this, mega, 'item', itemIndex, 'any', { label: 'Item' });
	if (!node.inRubbishBin) {
		throw new MegaInputError(`"${node.path}" is not in the Rubbish Bin`, 'To delete it from the Cloud Drive, use File or Folder → Delete with "Delete Permanently".');
	}
	await mega.delete({ handle: node.handle }, { signal: cancelSignal(this) });
	return [item({ handle: node.handle, name: node.name, path: node.path, type: node.type, deleted: true, permanently: true }, itemIndex)];
}
