import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { MIB, uploadObject } from '../../../../core/s4';
import { contentTypeFromFileName, readBinaryInput } from '../../../shared';
import { getS4Client } from '../../transport';
import { bucketLocator, forOperation, keyField } from '../common.descriptions';
import { bucketParameter, cancelSignal, metadataCollection, metadataFromCollection, optionsParameter, stringParameter } from '../params';

export const description: INodeProperties[] = forOperation('object', 'upload', [
	bucketLocator(),
	keyField({
		description: 'Where to store the file, e.g. "reports/q1.pdf". A key ending in "/" gets the file name of the binary appended.',
	}),
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file to upload',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Cache Control',
				name: 'cacheControl',
				type: 'string',
				default: '',
				placeholder: 'e.g. max-age=3600',
			},
			{
				displayName: 'Content Disposition',
				name: 'contentDisposition',
				type: 'string',
				default: '',
				placeholder: 'e.g. attachment; filename="report.pdf"',
				description: 'Set it here to make downloads save under a name: S4 presigned URLs cannot override it',
			},
			{
				displayName: 'Content Encoding',
				name: 'contentEncoding',
				type: 'string',
				default: '',
				placeholder: 'e.g. gzip',
			},
			{
				displayName: 'Content Type',
				name: 'contentType',
				type: 'string',
				default: '',
				placeholder: 'e.g. application/pdf',
				description: "Default: the binary's MIME type, else guessed from the file extension",
			},
			metadataCollection,
			{
				displayName: 'Part Size (MiB)',
				name: 'partSizeMiB',
				type: 'number',
				typeOptions: { minValue: 5, maxValue: 5120 },
				default: 8,
				description: 'Files larger than this go up in equal parts of this size (S4 needs at least 5 MiB). Raised automatically for very large files.',
			},
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const client = await getS4Client(this);
	const bucket = bucketParameter(this, itemIndex);
	const binaryPropertyName = stringParameter(this, 'binaryPropertyName', itemIndex, 'data');
	const options = optionsParameter(this, itemIndex);
	const source = await readBinaryInput(this, itemIndex, binaryPropertyName);
	let key = stringParameter(this, 'key', itemIndex).replace(/^\/+/, '');
	if (key.endsWith('/') || key === '') key = `${key}${source.fileName ?? 'file'}`;
	const contentType = (options.contentType as string) || source.mimeType || contentTypeFromFileName(source.fileName ?? key);
	const result = await uploadObject(client, {
		bucket,
		key,
		source: source.buffer ?? { size: source.size, open: source.open },
		contentType,
		contentDisposition: (options.contentDisposition as string) || undefined,
		contentEncoding: (options.contentEncoding as string) || undefined,
		cacheControl: (options.cacheControl as string) || undefined,
		metadata: metadataFromCollection(options.metadata),
		partSize: options.partSizeMiB ? Math.round(Number(options.partSizeMiB) * MIB) : undefined,
		signal: cancelSignal(this),
	});
	return [
		{
			json: {
				bucket: result.bucket,
				key: result.key,
				size: result.size ?? source.size,
				contentType,
				...(result.etag ? { etag: result.etag } : {}),
				multipart: result.multipart,
				parts: result.parts,
				...(result.attempts > 1 ? { attempts: result.attempts } : {}),
				fileName: source.fileName,
			},
			pairedItem: { item: itemIndex },
		},
	];
}
