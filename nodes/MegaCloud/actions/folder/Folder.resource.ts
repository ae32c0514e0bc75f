import type { INodeProperties } from 'n8n-workflow';
import * as copy from './copy.operation';
import * as create from './create.operation';
import * as createLink from './createLink.operation';
import * as del from './delete.operation';
import * as deleteLink from './deleteLink.operation';
import * as download from './download.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as move from './move.operation';
import * as rename from './rename.operation';

export { copy, create, createLink, del as delete, deleteLink, download, get, getAll, move, rename };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['folder'] } },
		options: [
			{ name: 'Copy', value: 'copy', description: 'Copy a folder with everything in it, on the server', action: 'Copy a folder' },
			{ name: 'Create', value: 'create', description: 'Create a folder, and any missing parent folders', action: 'Create a folder' },
			{ name: 'Create Link', value: 'createLink', description: 'Create a public link to a folder, optionally password-protected', action: 'Create a link to a folder' },
			{ name: 'Delete', value: 'delete', description: 'Move a folder to the Rubbish Bin, or delete it permanently', action: 'Delete a folder' },
			{ name: 'Delete Link', value: 'deleteLink', description: "Remove a folder's public link", action: 'Delete a link to a folder' },
			{ name: 'Download', value: 'download', description: 'Download every file in a folder, one item per file', action: 'Download a folder' },
			{ name: 'Get', value: 'get', description: "Get a folder's name, path, dates and link", action: 'Get a folder' },
			{ name: 'Get Many', value: 'getAll', description: 'List the files and folders in a folder', action: 'Get many items in a folder' },
			{ name: 'Move', value: 'move', description: 'Move a folder into another folder', action: 'Move a folder' },
			{ name: 'Rename', value: 'rename', description: 'Give a folder a new name; its handle, contents and link stay', action: 'Rename a folder' },
		],
		default: 'getAll',
	},
	...create.description,
	...getAll.description,
	...get.description,
	...copy.description,
	...move.description,
	...rename.description,
	...del.description,
	...createLink.description,
	...deleteLink.description,
	...download.description,
];
