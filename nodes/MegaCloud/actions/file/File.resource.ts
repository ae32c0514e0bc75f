import type { INodeProperties } from 'n8n-workflow';
import * as copy from './copy.operation';
import * as createLink from './createLink.operation';
import * as del from './delete.operation';
import * as deleteLink from './deleteLink.operation';
import * as deleteOldVersions from './deleteOldVersions.operation';
import * as download from './download.operation';
import * as get from './get.operation';
import * as getVersions from './getVersions.operation';
import * as move from './move.operation';
import * as rename from './rename.operation';
import * as upload from './upload.operation';

export { copy, createLink, del as delete, deleteLink, deleteOldVersions, download, get, getVersions, move, rename, upload };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['file'] } },
		options: [
			{ name: 'Copy', value: 'copy', description: 'Copy a file into a folder, on the server (no download)', action: 'Copy a file' },
			{ name: 'Create Link', value: 'createLink', description: 'Create a public link to a file, optionally password-protected', action: 'Create a link to a file' },
			{ name: 'Delete', value: 'delete', description: 'Move a file to the Rubbish Bin, or delete it permanently', action: 'Delete a file' },
			{ name: 'Delete Link', value: 'deleteLink', description: "Remove a file's public link", action: 'Delete a link to a file' },
			{ name: 'Delete Old Versions', value: 'deleteOldVersions', description: 'Delete every older version of a file, keeping the current one', action: 'Delete old versions of a file' },
			{ name: 'Download', value: 'download', description: 'Download a file into a binary field', action: 'Download a file' },
			{ name: 'Get', value: 'get', description: "Get a file's name, path, size, dates and link", action: 'Get a file' },
			{ name: 'Get Versions', value: 'getVersions', description: 'List the versions of a file, newest first', action: 'Get versions of a file' },
			{ name: 'Move', value: 'move', description: 'Move a file into another folder', action: 'Move a file' },
			{ name: 'Rename', value: 'rename', description: 'Give a file a new name; its handle, versions and link stay', action: 'Rename a file' },
			{ name: 'Upload', value: 'upload', description: 'Upload a file from a binary field into a folder', action: 'Upload a file' },
		],
		default: 'upload',
	},
	...upload.description,
	...download.description,
	...get.description,
	...getVersions.description,
	...deleteOldVersions.description,
	...copy.description,
	...move.description,
	...rename.description,
	...del.description,
	...createLink.description,
	...deleteLink.description,
];
