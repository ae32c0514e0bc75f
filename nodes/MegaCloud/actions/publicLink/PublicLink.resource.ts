import type { INodeProperties } from 'n8n-workflow';
import * as download from './download.operation';
import * as getInfo from './getInfo.operation';
import * as importLink from './import.operation';
import * as list from './list.operation';

export { download, getInfo, importLink as import, list };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['publicLink'] } },
		options: [
			{ name: 'Download', value: 'download', description: 'Download a file from a MEGA link (also a file inside a folder link)', action: 'Download a file from a link' },
			{ name: 'Get Info', value: 'getInfo', description: 'Get the name, size and type of what a MEGA link points to', action: 'Get info about a link' },
			{ name: 'Import', value: 'import', description: 'Copy the file or folder of a MEGA link into this account', action: 'Import a link' },
			{ name: 'List', value: 'list', description: 'List the files and folders in a MEGA folder link', action: 'List a folder link' },
		],
		default: 'getInfo',
	},
	...getInfo.description,
	...download.description,
	...list.description,
	...importLink.description,
];
