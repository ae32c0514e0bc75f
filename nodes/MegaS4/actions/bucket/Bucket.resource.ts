import type { INodeProperties } from 'n8n-workflow';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as getAll from './getAll.operation';
import * as search from './search.operation';

export { create, del as delete, getAll, search };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['bucket'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create a bucket', action: 'Create a bucket' },
			{ name: 'Delete', value: 'delete', description: 'Delete an empty bucket', action: 'Delete a bucket' },
			{ name: 'Get Many', value: 'getAll', description: 'List the buckets of the account', action: 'Get many buckets' },
			{ name: 'Search', value: 'search', description: 'Find objects in a bucket by key prefix', action: 'Search objects in a bucket' },
		],
		default: 'getAll',
	},
	...create.description,
	...del.description,
	...getAll.description,
	...search.description,
];
