import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { contentTypeFromFileName, megaFolderLocator, writeBinaryOutput } from '../../../shared';
import { forOperation, outputBinaryField } from '../common.descriptions';
import { cancelSignal, nodeJson, optionsParameter, stringParameter } from '../params';
import { client, hintMemoryMode, locate } from '../shared';

export const description: INodeProperties[] = forOperation('folder', 'download', [
	megaFolderLocator(),
	outputBinaryField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Subfolders',
				name: 'recursive',
				type: 'boolean',
				default: true,
				description: 'Whether to download the files of subfolders too',
			},
		],
	},
]);

/** One output item per file, each streamed into its own binary, with `relativePath` from the chosen folder. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const folder = await locate(this, mega, 'folder', itemIndex, 'folder');
	const binaryPropertyName = stringParameter(this, 'binaryPropertyName', itemIndex, 'data');
	const recursive = optionsParameter(this, itemIndex).recursive !== false;
	const signal = cancelSignal(this);
	const files = (await mega.list({ handle: folder.handle }, { recursive, signal }))
		.filter((node) => node.type === 'file')
		.sort((a, b) => a.path.localeCompare(b.path));
	const prefix = folder.path.endsWith('/') ? folder.path : `${folder.path}/`;
	const out: INodeExecutionData[] = [];
	for (const file of files) {
		const stream = await mega.download({ handle: file.handle }, { signal });
		const binary = await writeBinaryOutput(this, stream, file.name || 'file', contentTypeFromFileName(file.name));
		if (!binary.id) hintMemoryMode(this);
		const relativePath = file.path.startsWith(prefix) ? file.path.slice(prefix.length) : file.name;
		if (relativePath.includes('/')) binary.directory = relativePath.slice(0, relativePath.lastIndexOf('/'));
		out.push({ json: { ...nodeJson(file), relativePath }, binary: { [binaryPropertyName]: binary }, pairedItem: { item: itemIndex } });
	}
	return out;
}
