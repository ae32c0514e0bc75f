import type { INodeProperties } from 'n8n-workflow';
import * as copy from './copy.operation';
import * as del from './delete.operation';
import * as deleteMany from './deleteMany.operation';
import * as download from './download.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getPresignedUrl from './getPresignedUrl.operation';
import * as move from './move.operation';
import * as upload from './upload.operation';

export { copy, del as delete, deleteMany, download, get, getAll, getPresignedUrl, move, upload };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['object'] } },
		options: [
			{ name: 'Copy', value: 'copy', description: 'Copy an object, within or across buckets', action: 'Copy an object' },
			{ name: 'Delete', value: 'delete', description: 'Delete an object', action: 'Delete an object' },
			{ name: 'Delete Many', value: 'deleteMany', description: 'Delete many objects in batches', action: 'Delete many objects' },
			{ name: 'Download', value: 'download', description: 'Download an object into a binary field', action: 'Download an object' },
			{ name: 'Get', value: 'get', description: "Get an object's size, type, ETag and metadata", action: 'Get an object' },
			{ name: 'Get Many', value: 'getAll', description: 'List objects and folders', action: 'Get many objects' },
			{ name: 'Get Presigned URL', value: 'getPresignedUrl', description: 'Create a temporary download or upload link', action: 'Get a presigned URL for an object' },
			{ name: 'Move', value: 'move', description: 'Move an object (copy, then delete the source)', action: 'Move an object' },
			{ name: 'Upload', value: 'upload', description: 'Upload a file from a binary field', action: 'Upload an object' },
		],
		default: 'upload',
	},
	...upload.description,
	...download.description,
	...get.description,
	...getAll.description,
	...copy.description,
	...move.description,
	...del.description,
	...deleteMany.description,
	...getPresignedUrl.description,
];
