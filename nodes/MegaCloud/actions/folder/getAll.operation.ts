import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFolderLocator } from '../../../shared';
import { forOperation, limitField, returnAllField } from '../common.descriptions';
import { cancelSignal, limitParameter, optionsParameter } from '../params';
import { client, listingItems, locate, nodeTypeOption } from '../shared';

export const description: INodeProperties[] = forOperation('folder', 'getAll', [
	megaFolderLocator({ required: false, description: 'The folder whose contents to list; empty: the Cloud Drive root' }),
	returnAllField,
	limitField,
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
				default: false,
				description: 'Whether to list everything below the folder, not only what is directly in it',
			},
			nodeTypeOption,
		],
	},
]);

/** One item per file or folder in the folder, sorted by path. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const folder = await locate(this, mega, 'folder', itemIndex, 'folder', { emptyMeansRoot: true });
	const options = optionsParameter(this, itemIndex);
	const type = (options.type as string | undefined) ?? 'all';
	const limit = limitParameter(this, itemIndex);
	const entries = await mega.list({ handle: folder.handle }, { recursive: options.recursive === true, signal: cancelSignal(this) });
	return listingItems(entries.filter((node) => type === 'all' || node.type === type), limit, itemIndex);
}
