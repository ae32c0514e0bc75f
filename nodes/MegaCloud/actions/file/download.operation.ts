import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { contentTypeFromFileName, megaFileLocator, writeBinaryOutput } from '../../../shared';
import { forOperation, outputBinaryField } from '../common.descriptions';
import { cancelSignal, nodeJson, optionsParameter, stringParameter } from '../params';
import { client, hintMemoryMode, locate } from '../shared';

export const description: INodeProperties[] = forOperation('file', 'download', [
	megaFileLocator(),
	outputBinaryField,
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
				description: 'Name of the output file; default: its name in MEGA',
			},
		],
	},
]);

/** Streams the file out of MEGA, decrypting and verifying it; a corrupt file fails instead of reaching the workflow. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const file = await locate(this, mega, 'file', itemIndex, 'file');
	const binaryPropertyName = stringParameter(this, 'binaryPropertyName', itemIndex, 'data');
	const options = optionsParameter(this, itemIndex);
	const fileName = (options.fileName as string) || file.name || 'file';
	const stream = await mega.download({ handle: file.handle }, { signal: cancelSignal(this) });
	const binary = await writeBinaryOutput(this, stream, fileName, contentTypeFromFileName(fileName));
	if (!binary.id) hintMemoryMode(this);
	const input = this.getInputData()[itemIndex];
	return [
		{
			json: nodeJson(file),
			binary: { ...(input?.binary ?? {}), [binaryPropertyName]: binary },
			pairedItem: { item: itemIndex },
		},
	];
}
