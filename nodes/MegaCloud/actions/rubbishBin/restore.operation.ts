import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { MegaInputError, megaFolderLocator } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item, nodeJson, stringParameter } from '../params';
import { client, locate } from '../shared';
import { rubbishItemLocator } from './common';

export const description: INodeProperties[] = forOperation('rubbishBin', 'restore', [
	rubbishItemLocator,
	{
		displayName: 'Restore To',
		name: 'restoreTo',
		type: 'options',
		default: 'original',
		options: [
			{ name: 'Where It Came From', value: 'original', description: 'The folder it was deleted from' },
			{ name: 'A Chosen Folder', value: 'folder' },
		],
	},
	{ ...megaFolderLocator({ name: 'destination', displayName: 'Destination Folder' }), displayOptions: { show: { restoreTo: ['folder'] } } },
]);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const mega = await client(this);
	const signal = cancelSignal(this);
	const node = await locate(this, mega, 'item', itemIndex, 'any', { label: 'Item' });
	if (!node.inRubbishBin) {
		throw new MegaInputError(`"${node.path}" is not in the Rubbish Bin`, 'Choose an item from the Rubbish Bin list (paths start with //bin/).');
	}
	if (stringParameter(this, 'restoreTo', itemIndex, 'original') === 'folder') {
		const destination = await locate(this, mega, 'destination', itemIndex, 'folder', { label: 'Destination Folder' });
		await mega.move({ handle: node.handle }, { handle: destination.handle }, { signal });
		// The recorded origin no longer applies once restored elsewhere.
		return [item(nodeJson(await mega.setAttributes({ handle: node.handle }, { rr: null }, { signal })), itemIndex)];
	}
	if (!node.restoreHandle) {
		throw new MegaInputError(
			`MEGA has no record of where "${node.name}" came from`,
			'Set "Restore To" to "A Chosen Folder" and pick the folder.',
		);
	}
	return [item(nodeJson(await mega.restore({ handle: node.handle }, { signal })), itemIndex)];
}
