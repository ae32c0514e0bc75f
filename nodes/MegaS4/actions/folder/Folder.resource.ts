import type { INodeProperties } from 'n8n-workflow';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as getAll from './getAll.operation';

export { create, del as delete, getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['folder'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create a folder (an empty "path/" marker)', action: 'Create a folder' },
			{ name: 'Delete', value: 'delete', description: 'Delete a folder and everything in it', action: 'Delete a folder' },
			{ name: 'Get Many', value: 'getAll', description: 'List the folders inside a folder', action: 'Get many folders' },
		],
		default: 'getAll',
	},
	...create.description,
	...del.description,
	...getAll.description,
];
