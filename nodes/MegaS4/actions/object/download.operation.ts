import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { downloadObject, lastSegment } from '../../../../core/s4';
import { contentTypeFromFileName, writeBinaryOutput } from '../../../shared';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation, keyField } from '../common.descriptions';
import { bucketParameter, cancelSignal, optionsParameter, stringParameter } from '../params';

export const description: INodeProperties[] = forOperation('object', 'download', [
	bucketLocator(),
	keyField(),
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the file in',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: 'Name of the output file; default: the last part of the key',
			},
			{
				displayName: 'Range',
				name: 'range',
				type: 'string',
				default: '',
				placeholder: 'e.g. bytes=0-1048575',
				description: 'Download only these bytes (inclusive), e.g. "bytes=0-1023", "bytes=1024-" or "bytes=-500"',
			},
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const bucket = bucketParameter(this, itemIndex);
	const key = stringParameter(this, 'key', itemIndex).replace(/^\/+/, '');
	const binaryPropertyName = stringParameter(this, 'binaryPropertyName', itemIndex, 'data');
	const options = optionsParameter(this, itemIndex);
	const result = await downloadObject(client, {
		bucket,
		key,
		range: options.range ? String(options.range) : undefined,
		signal: cancelSignal(this),
	});
	const fileName = (options.fileName as string) || lastSegment(key).replace(/\/$/, '') || 'file';
	const mimeType = result.contentType || contentTypeFromFileName(fileName);
	const binary = await writeBinaryOutput(this, result.body, fileName, mimeType);
	const input = this.getInputData()[itemIndex];
	const { body: _body, ...info } = result;
	return [
		{
			json: { ...info },
			binary: { ...(input?.binary ?? {}), [binaryPropertyName]: binary },
			pairedItem: { item: itemIndex },
		},
	];
}
