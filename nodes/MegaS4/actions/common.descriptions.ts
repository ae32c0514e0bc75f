import type { INodeProperties } from 'n8n-workflow';

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

export const returnAllField: INodeProperties = {
	displayName: 'Return All',
	name: 'returnAll',
	type: 'boolean',
	default: false,
	description: 'Whether to return all results or only up to a given limit',
};

export const limitField: INodeProperties = {
	displayName: 'Limit',
	name: 'limit',
	type: 'number',
	default: 50,
	typeOptions: { minValue: 1 },
	description: 'Max number of results to return',
	displayOptions: { show: { returnAll: [false] } },
};

/** Adds `show: { resource, operation }` to every property (keeps a property's own extra conditions). */
export function forOperation(resource: string, operation: string, properties: INodeProperties[]): INodeProperties[] {
	return properties.map((p) => ({
		...p,
		displayOptions: {
			...p.displayOptions,
			show: { ...(p.displayOptions?.show ?? {}), resource: [resource], operation: [operation] },
		},
	}));
}
