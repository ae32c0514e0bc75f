import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { forOperation, limitField, returnAllField } from '../common.descriptions';
import { cancelSignal, item, limitParameter, nodeJson } from '../params';
import { client } from '../shared';

export const description: INodeProperties[] = forOperation('rubbishBin', 'getAll', [returnAllField, limitField]);

/** One item per file or folder at the top of the Rubbish Bin; `restoreHandle` is the folder it came from. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const limit = limitParameter(this, itemIndex);
	const nodes = (await mega.listRubbishBin({ signal: cancelSignal(this) })).sort((a, b) => a.path.localeCompare(b.path));
	return nodes.slice(0, limit ?? nodes.length).map((node) => item(nodeJson(node), itemIndex));
}
