import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { NameConflictPolicy } from '../../../../core/mega/transfer';
import { megaFolderLocator, readBinaryInput } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson, optionsParameter, stringParameter } from '../params';
import { client, hintMemoryMode, locate } from '../shared';

export const description: INodeProperties[] = forOperation('file', 'upload', [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file to upload',
	},
	megaFolderLocator({ name: 'folder', displayName: 'Parent Folder', required: false, description: 'The folder to upload into; empty: the Cloud Drive root' }),
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'e.g. report.pdf',
		description: "Name in MEGA. Leave empty to use the binary's file name.",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'If the Name Exists',
				name: 'onConflict',
				type: 'options',
				default: 'keepBoth',
				options: [
					{ name: 'Fail', value: 'fail', description: 'Stop with an error' },
					{ name: 'Keep Both', value: 'keepBoth', description: 'Upload under a free name, e.g. "report (1).pdf"' },
					{ name: 'New Version', value: 'newVersion', description: 'Add the upload as the newest version of the existing file' },
					{ name: 'Replace', value: 'replace', description: 'Upload, then move the existing file to the Rubbish Bin' },
					{ name: 'Skip', value: 'skip', description: 'Upload nothing and output the existing file' },
				],
				description: 'What to do when the folder already has a file with this name',
			},
			{
				displayName: 'Modification Time',
				name: 'modifiedAt',
				type: 'dateTime',
				default: '',
				description: 'The file\'s modification time in MEGA; default: now',
			},
		],
	},
]);

/** Streams the binary to MEGA (encrypted on the way), into the chosen folder. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const binaryPropertyName = stringParameter(this, 'binaryPropertyName', itemIndex, 'data');
	const source = await readBinaryInput(this, itemIndex, binaryPropertyName);
	if (!source.binaryId) hintMemoryMode(this);
	const mega = await client(this);
	const folder = await locate(this, mega, 'folder', itemIndex, 'folder', { emptyMeansRoot: true, label: 'Parent Folder' });
	const options = optionsParameter(this, itemIndex);
	const name = stringParameter(this, 'fileName', itemIndex).trim() || source.fileName || 'file';
	const modifiedAt = options.modifiedAt ? new Date(String(options.modifiedAt)) : undefined;
	const result = await mega.upload({
		parent: { handle: folder.handle },
		name,
		source: source.buffer ?? source.open,
		size: source.size,
		onConflict: (options.onConflict as NameConflictPolicy | undefined) ?? 'keepBoth',
		mtime: modifiedAt && !Number.isNaN(modifiedAt.getTime()) ? modifiedAt : undefined,
		signal: cancelSignal(this),
	});
	return [
		item(
			{
				...nodeJson(result.file),
				outcome: result.outcome,
				...(result.previousHandle && result.outcome !== 'skipped' ? { previousHandle: result.previousHandle } : {}),
			},
			itemIndex,
		),
	];
}
