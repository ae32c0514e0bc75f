import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { PRESIGN_DEFAULT_SECONDS, PRESIGN_MAX_SECONDS, presignUrl } from '../../../../core/s4';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation, keyField } from '../common.descriptions';
import { bucketParameter, optionsParameter, stringParameter } from '../params';

export const description: INodeProperties[] = forOperation('object', 'getPresignedUrl', [
	bucketLocator(),
	keyField(),
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		options: [
			{ name: 'GET (Download)', value: 'GET', description: 'A link anyone can use to download the object' },
			{ name: 'PUT (Upload)', value: 'PUT', description: 'A link anyone can use to upload to this key' },
		],
		default: 'GET',
	},
	{
		displayName: 'Expires In (Seconds)',
		name: 'expiresIn',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: PRESIGN_MAX_SECONDS },
		default: PRESIGN_DEFAULT_SECONDS,
		description: 'How long the link works: 1 second to 7 days (604800). Default 1 hour.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Content Type',
				name: 'contentType',
				type: 'string',
				default: '',
				placeholder: 'e.g. image/png',
				description: 'For PUT: the Content-Type the uploader must send (part of the signature)',
			},
			{
				displayName: 'Response Content Type',
				name: 'responseContentType',
				type: 'string',
				default: '',
				placeholder: 'e.g. text/plain',
				description: 'For GET: the Content-Type S4 should answer with',
			},
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const options = optionsParameter(this, itemIndex);
	const method = stringParameter(this, 'method', itemIndex, 'GET') === 'PUT' ? 'PUT' : 'GET';
	const result = await presignUrl(client, {
		method,
		bucket: bucketParameter(this, itemIndex),
		key: stringParameter(this, 'key', itemIndex).replace(/^\/+/, ''),
		expiresIn: this.getNodeParameter('expiresIn', itemIndex, PRESIGN_DEFAULT_SECONDS) as number,
		contentType: method === 'PUT' && options.contentType ? String(options.contentType) : undefined,
		responseContentType: method === 'GET' && options.responseContentType ? String(options.responseContentType) : undefined,
	});
	return [{ json: { ...result }, pairedItem: { item: itemIndex } }];
}
