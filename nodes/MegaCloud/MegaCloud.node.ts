import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeProperties, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import * as account from './actions/account/Account.resource';
import { router } from './actions/router';
import { megaApiTest, searchMegaFiles, searchMegaFolders } from './methods';

const resourceOptions = [{ name: 'Account', value: 'account' }];

const resourceDescriptions: INodeProperties[][] = [account.description];

export class MegaCloud implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MEGA Cloud',
		name: 'megaCloud',
		icon: { light: 'file:megaCloud.svg', dark: 'file:megaCloud.dark.svg' },
		group: ['output'],
		version: 1,
		// In words ("Get Storage Quota: Account"); test/workflow/mega-cloud checks it names every operation and resource.
		subtitle: '={{ ({ getInfo: "Get Info", getStorageQuota: "Get Storage Quota" })[$parameter["operation"]] + ": " + ({ account: "Account" })[$parameter["resource"]] }}',
		description: 'Upload, download, organise and share files in MEGA Cloud Drive, end-to-end encrypted',
		defaults: { name: 'MEGA Cloud' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'megaApi', required: true, testedBy: 'megaApiTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: resourceOptions,
				default: 'account',
			},
			...resourceDescriptions.flat(),
		],
	};

	methods = {
		listSearch: { searchMegaFolders, searchMegaFiles },
		credentialTest: { megaApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
