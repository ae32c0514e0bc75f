import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import * as bucket from './actions/bucket/Bucket.resource';
import * as folder from './actions/folder/Folder.resource';
import * as object from './actions/object/Object.resource';
import { router } from './actions/router';
import { megaS4ApiTest, searchBuckets } from './methods';

export class MegaS4 implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MEGA S4',
		name: 'megaS4',
		icon: { light: 'file:megaS4.svg', dark: 'file:megaS4.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Store, list, share and stream files in MEGA S4 object storage',
		defaults: { name: 'MEGA S4' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'megaS4Api', required: true, testedBy: 'megaS4ApiTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Bucket', value: 'bucket' },
					{ name: 'Folder', value: 'folder' },
					{ name: 'Object', value: 'object' },
				],
				default: 'object',
			},
			...bucket.description,
			...object.description,
			...folder.description,
		],
	};

	methods = {
		listSearch: { searchBuckets },
		credentialTest: { megaS4ApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
