import type { INodeProperties } from 'n8n-workflow';
import * as getInfo from './getInfo.operation';
import * as getStorageQuota from './getStorageQuota.operation';

export { getInfo, getStorageQuota };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['account'] } },
		options: [
			{ name: 'Get Info', value: 'getInfo', description: 'Get the account the credential logs in as (user handle, email, name)', action: 'Get account info' },
			{
				name: 'Get Storage Quota',
				value: 'getStorageQuota',
				description: 'Get used and total storage and transfer quota, in bytes and readable units',
				action: 'Get storage quota',
			},
		],
		default: 'getStorageQuota',
	},
	...getInfo.description,
	...getStorageQuota.description,
];
