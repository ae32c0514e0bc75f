import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { listPublicFolder } from '../../../../core/mega/client';
import { forOperation, limitField, returnAllField } from '../common.descriptions';
import { cancelSignal, limitParameter, optionsParameter } from '../params';
import { listingItems } from '../shared';
import { linkField, linkPasswordOption, publicLinkInput, withLinkInput } from './common';

export const description: INodeProperties[] = forOperation('publicLink', 'list', [
	{ ...linkField, placeholder: 'e.g. https://mega.nz/folder/AbCd1234#…', description: 'A MEGA folder link with its key (the part after #)' },
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
				description: 'Whether to list everything in the shared folder, not only its top level',
			},
			linkPasswordOption,
		],
	},
]);

/** One item per file or folder in a folder link; paths start at the shared folder. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const input = await publicLinkInput(this, itemIndex);
	const options = optionsParameter(this, itemIndex);
	const limit = limitParameter(this, itemIndex);
	const nodes = await withLinkInput(this, itemIndex, async () =>
		await listPublicFolder(input.url, { gateway: input.gateway, password: input.password, recursive: options.recursive === true, signal: cancelSignal(this) }),
	);
	return listingItems(nodes, limit, itemIndex);
}
