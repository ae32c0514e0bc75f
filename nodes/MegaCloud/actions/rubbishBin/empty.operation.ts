import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item } from '../params';
import { client } from '../shared';

export const description: INodeProperties[] = forOperation('rubbishBin', 'empty', []);

/** Deletes everything in the Rubbish Bin for good. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const signal = cancelSignal(this);
	const before = await mega.listRubbishBin({ signal });
	await mega.emptyRubbishBin({ signal });
	return [item({ emptied: true, deletedCount: before.length }, itemIndex)];
}
