import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { megaFolderLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson } from '../params';
import { client, locate } from '../shared';
import { linkField, linkPasswordOption, publicLinkInput, withLinkInput } from './common';

export const description: INodeProperties[] = forOperation('publicLink', 'import', [
	linkField,
	megaFolderLocator({ name: 'destination', displayName: 'Destination Folder', required: false, description: 'Where to put the imported file or folder; empty: the Cloud Drive root' }),
	{ displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, options: [linkPasswordOption] },
]);

/** Copies what a link points to into the account (files server-side; folders with their contents). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const input = await publicLinkInput(this, itemIndex);
	const mega = await client(this);
	const destination = await locate(this, mega, 'destination', itemIndex, 'folder', { emptyMeansRoot: true, label: 'Destination Folder' });
	const imported = await withLinkInput(this, itemIndex, async () =>
		await mega.importLink(input.url, { handle: destination.handle }, { password: input.password, signal: cancelSignal(this) }),
	);
	return [item(nodeJson(imported), itemIndex)];
}
