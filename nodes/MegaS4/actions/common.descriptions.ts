import type { INodeProperties } from 'n8n-workflow';

// The listing fields and the per-operation display rule are the same in every node of the package.
export { forOperation, limitField, returnAllField } from '../../shared/descriptions';

/** A bucket picker: From List (searchable) or By Name. */
export function bucketLocator(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Bucket',
		name: 'bucket',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchBuckets', searchable: true },
			},
			{
				displayName: 'By Name',
				name: 'name',
				type: 'string',
				placeholder: 'e.g. my-reports',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
							errorMessage: 'Bucket names are 3–63 lowercase letters, digits, dots and hyphens',
						},
					},
				],
			},
		],
		...overrides,
	} as INodeProperties;
}

export const keyField = (overrides: Partial<INodeProperties> = {}): INodeProperties =>
	({
		displayName: 'Key',
		name: 'key',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. reports/2026/q1.pdf',
		description: 'The full path of the object in the bucket, case-sensitive',
		...overrides,
	}) as INodeProperties;
