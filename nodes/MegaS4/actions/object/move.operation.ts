import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { moveObject } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { copyInput, copyProperties } from './copy.operation';

export const description: INodeProperties[] = copyProperties('move');

/** Server-side copy, then delete of the source. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const result = await moveObject(client, copyInput(this, itemIndex));
	return [{ json: { ...result, moved: true }, pairedItem: { item: itemIndex } }];
}
