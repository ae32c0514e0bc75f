import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { openPublicDownload, openPublicFolder } from '../../../../core/mega/client';
import { resolveMegaLink } from '../../../../core/mega/links';
import { openDownload, type MegaDownloadStream } from '../../../../core/mega/transfer';
import { contentTypeFromFileName, writeBinaryOutput } from '../../../shared';
import { forOperation, outputBinaryField } from '../common.descriptions';
import { cancelSignal, optionsParameter } from '../params';
import { hintMemoryMode } from '../shared';
import { linkField, linkPasswordOption, publicLinkInput, withLinkInput } from './common';

export const description: INodeProperties[] = forOperation('publicLink', 'download', [
	linkField,
	outputBinaryField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'File Path in Folder',
				name: 'filePath',
				type: 'string',
				default: '',
				placeholder: 'e.g. reports/q1.pdf',
				description: 'For folder links: the file to download, by its path inside the shared folder',
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: 'Name of the output file; default: its name in MEGA',
			},
			linkPasswordOption,
		],
	},
]);

/** Streams a file from a file link, or from inside a folder link, without logging in. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const input = await publicLinkInput(this, itemIndex);
	const options = optionsParameter(this, itemIndex);
	const binaryPropertyName = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data'));
	const signal = cancelSignal(this);
	const filePath = String(options.filePath ?? '').trim().replace(/^\/+/, '');
	const stream = await withLinkInput(this, itemIndex, async (): Promise<MegaDownloadStream> => {
		const link = await resolveMegaLink(input.url, input.password);
		if (link.kind === 'file' || !filePath) {
			if (link.kind === 'folder' && !link.childHandle) {
				throw new NodeOperationError(this.getNode(), 'This is a folder link: say which file to download', {
					itemIndex,
					description: 'Set Options → File Path in Folder (e.g. "reports/q1.pdf"), or use a link to the file itself.',
				});
			}
			return await openPublicDownload(input.url, { gateway: input.gateway, password: input.password, signal });
		}
		const folder = await openPublicFolder(input.url, { gateway: input.gateway, password: input.password, signal });
		const entry = folder.tree.resolvePath(`/${filePath}`);
		const key = entry.t === 0 ? folder.tree.keyOf(entry) : null;
		if (!key) {
			throw new NodeOperationError(this.getNode(), `"${filePath}" is not a file in the shared folder`, { itemIndex, description: 'Give the path of a file.' });
		}
		return await openDownload(folder.api, { source: { handle: entry.h, folderHandle: folder.link.handle }, key, signal });
	});
	const fileName = (options.fileName as string) || stream.name || 'file';
	const binary = await writeBinaryOutput(this, stream, fileName, contentTypeFromFileName(fileName));
	if (!binary.id) hintMemoryMode(this);
	return [
		{
			json: { name: stream.name, size: stream.size, type: 'file', mimeType: binary.mimeType },
			binary: { [binaryPropertyName]: binary },
			pairedItem: { item: itemIndex },
		},
	];
}
