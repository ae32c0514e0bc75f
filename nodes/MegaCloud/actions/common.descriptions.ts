import type { INodeProperties } from 'n8n-workflow';

// The listing fields and the per-operation display rule are the same in every node of the package.
export { forOperation, limitField, returnAllField } from '../../shared/descriptions';

export const outputBinaryField: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	hint: 'The name of the output binary field to put the file in',
};
