import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeProperties, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import * as account from './actions/account/Account.resource';
import * as file from './actions/file/File.resource';
import * as folder from './actions/folder/Folder.resource';
import * as publicLink from './actions/publicLink/PublicLink.resource';
import * as rubbishBin from './actions/rubbishBin/RubbishBin.resource';
import * as search from './actions/search/Search.resource';
import { router } from './actions/router';
import { megaApiTest, searchMegaFiles, searchMegaFolders, searchMegaRubbishBin } from './methods';

const resourceOptions = [
	{ name: 'File', value: 'file' },
	{ name: 'Folder', value: 'folder' },
	{ name: 'Public Link', value: 'publicLink', description: 'Open MEGA links without logging in (works with every credential mode)' },
	{ name: 'Rubbish Bin', value: 'rubbishBin' },
	{ name: 'Search', value: 'search' },
	{ name: 'Account', value: 'account' },
];

const resourceDescriptions: INodeProperties[][] = [file.description, folder.description, publicLink.description, rubbishBin.description, search.description, account.description];

export class MegaCloud implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MEGA Cloud',
		name: 'megaCloud',
		icon: { light: 'file:megaCloud.svg', dark: 'file:megaCloud.dark.svg' },
		group: ['output'],
		version: 1,
		// In words ("Upload: File"); test/workflow/mega-cloud/node-description.test.ts checks it names every operation and resource.
		subtitle:
			'={{ ({ copy: "Copy", create: "Create", createLink: "Create Link", "delete": "Delete", deleteLink: "Delete Link", deleteOldVersions: "Delete Old Versions", deletePermanently: "Delete Permanently", download: "Download", empty: "Empty", get: "Get", getAll: "Get Many", getInfo: "Get Info", getStorageQuota: "Get Storage Quota", getVersions: "Get Versions", "import": "Import", list: "List", move: "Move", rename: "Rename", restore: "Restore", search: "Search", upload: "Upload" })[$parameter["operation"]] + ": " + ({ account: "Account", file: "File", folder: "Folder", publicLink: "Public Link", rubbishBin: "Rubbish Bin", search: "Search" })[$parameter["resource"]] }}',
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
				default: 'file',
			},
			...resourceDescriptions.flat(),
		],
	};

	methods = {
		listSearch: { searchMegaFolders, searchMegaFiles, searchMegaRubbishBin },
		credentialTest: { megaApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
