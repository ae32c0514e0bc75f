import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import * as bucket from './actions/bucket/Bucket.resource';
import * as folder from './actions/folder/Folder.resource';
import * as object from './actions/object/Object.resource';
import { router } from './actions/router';
import { megaS4ApiTest, searchBuckets } from './methods';

const resourceProperty: INodeProperties = {
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
};

const operationProperties = [...bucket.description, ...object.description, ...folder.description].filter((p) => p.name === 'operation');

/**
 * `{"value":"Name",…}[$parameter["name"]]`: the option's name as the dropdown shows it, not its internal value.
 * Operation values shared by resources (create, delete, getAll) have the same name in each.
 */
function optionNameOf(parameter: string, properties: INodeProperties[]): string {
	const names: Record<string, string> = {};
	for (const option of properties.flatMap((p) => (p.options ?? []) as INodePropertyOptions[])) names[String(option.value)] = option.name;
	return `${JSON.stringify(names)}[$parameter["${parameter}"]]`;
}

export class MegaS4 implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MEGA S4',
		name: 'megaS4',
		icon: { light: 'file:megaS4.svg', dark: 'file:megaS4.dark.svg' },
		group: ['output'],
		version: 1,
		// The canvas line under the node, in words: "Get Presigned URL: Object".
		subtitle: `={{ ${optionNameOf('operation', operationProperties)} + ": " + ${optionNameOf('resource', [resourceProperty])} }}`,
		description: 'Store, list, share and stream files in MEGA S4 object storage',
		defaults: { name: 'MEGA S4' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'megaS4Api', required: true, testedBy: 'megaS4ApiTest' }],
		properties: [
			resourceProperty,
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
