import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { copyObject, type CopyObjectInput } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation, keyField } from '../common.descriptions';
import { bucketParameter, cancelSignal, metadataCollection, metadataFromCollection, optionsParameter, stringParameter } from '../params';

/** Shared by Copy and Move. */
export function copyProperties(operation: 'copy' | 'move'): INodeProperties[] {
	return forOperation('object', operation, [
		bucketLocator({ displayName: 'Source Bucket', name: 'sourceBucket' }),
		keyField({ displayName: 'Source Key', name: 'sourceKey' }),
		bucketLocator({
			displayName: 'Destination Bucket',
			name: 'destinationBucket',
			description: 'Any bucket of the account: S4 buckets are global, so this works across regions too',
		}),
		keyField({ displayName: 'Destination Key', name: 'destinationKey', placeholder: 'e.g. archive/2026/q1.pdf' }),
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Content Type',
					name: 'contentType',
					type: 'string',
					default: '',
					description: "With Metadata set to Replace: the new Content-Type (default: keep the source's)",
				},
				{
					displayName: 'Metadata Directive',
					name: 'metadataDirective',
					type: 'options',
					options: [
						{ name: 'Copy', value: 'COPY', description: "Keep the source's metadata" },
						{ name: 'Replace', value: 'REPLACE', description: 'Use the metadata given here' },
					],
					default: 'COPY',
				},
				metadataCollection,
			],
		},
	]);
}

export const description = copyProperties('copy');

export function copyInput(ctx: IExecuteFunctions, itemIndex: number): CopyObjectInput {
	const options = optionsParameter(ctx, itemIndex);
	return {
		sourceBucket: bucketParameter(ctx, itemIndex, 'sourceBucket'),
		sourceKey: stringParameter(ctx, 'sourceKey', itemIndex).replace(/^\/+/, ''),
		bucket: bucketParameter(ctx, itemIndex, 'destinationBucket'),
		key: stringParameter(ctx, 'destinationKey', itemIndex).replace(/^\/+/, ''),
		metadataDirective: options.metadataDirective === 'REPLACE' ? 'REPLACE' : 'COPY',
		metadata: metadataFromCollection(options.metadata),
		contentType: (options.contentType as string) || undefined,
		signal: cancelSignal(ctx),
	};
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const result = await copyObject(client, copyInput(this, itemIndex));
	return [{ json: { ...result }, pairedItem: { item: itemIndex } }];
}
