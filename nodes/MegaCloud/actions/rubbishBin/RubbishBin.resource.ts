import type { INodeProperties } from 'n8n-workflow';
import * as deletePermanently from './deletePermanently.operation';
import * as empty from './empty.operation';
import * as getAll from './getAll.operation';
import * as restore from './restore.operation';

export { deletePermanently, empty, getAll, restore };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['rubbishBin'] } },
		options: [
			{ name: 'Delete Permanently', value: 'deletePermanently', description: 'Delete one item of the Rubbish Bin for good', action: 'Delete an item permanently' },
			{ name: 'Empty', value: 'empty', description: 'Delete everything in the Rubbish Bin for good', action: 'Empty the rubbish bin' },
			{ name: 'Get Many', value: 'getAll', description: 'List the files and folders in the Rubbish Bin', action: 'Get many items in the rubbish bin' },
			{ name: 'Restore', value: 'restore', description: 'Move an item back to where it came from, or to a chosen folder', action: 'Restore an item' },
		],
		default: 'getAll',
	},
	...getAll.description,
	...restore.description,
	...deletePermanently.description,
	...empty.description,
];
