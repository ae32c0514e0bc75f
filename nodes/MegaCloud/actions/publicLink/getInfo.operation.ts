import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { openPublicFolder, publicFileInfo } from '../../../../core/mega/client';
import { resolveMegaLink } from '../../../../core/mega/links';
import { contentTypeFromFileName } from '../../../shared';
import { forOperation } from '../common.descriptions';
import { cancelSignal, item } from '../params';
import { linkField, linkPasswordOption, publicLinkInput, withLinkInput } from './common';

export const description: INodeProperties[] = forOperation('publicLink', 'getInfo', [
	linkField,
	{ displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, options: [linkPasswordOption] },
]);

/** Name, size and type of what a link points to, without logging in; for folders also the file and folder counts. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const input = await publicLinkInput(this, itemIndex);
	const signal = cancelSignal(this);
	return await withLinkInput(this, itemIndex, async () => {
		const link = await resolveMegaLink(input.url, input.password);
		if (link.kind === 'file') {
			const info = await publicFileInfo(input.url, { gateway: input.gateway, password: input.password, signal });
			return [item({ type: 'file', name: info.name, size: info.size, handle: info.handle, mimeType: contentTypeFromFileName(info.name) }, itemIndex)];
		}
		const folder = await openPublicFolder(input.url, { gateway: input.gateway, password: input.password, signal });
		const { tree } = folder;
		const start = link.childHandle ? tree.get(link.childHandle) : tree.get(tree.rootHandle);
		if (start && start.t === 0) {
			const node = tree.toNode(start);
			return [item({ type: 'file', name: node.name, size: node.size, handle: node.handle, mimeType: contentTypeFromFileName(node.name) }, itemIndex)];
		}
		const entries = tree.descendants(start?.h ?? tree.rootHandle);
		const files = entries.filter((entry) => entry.t === 0);
		const root = start ? tree.toNode(start) : folder.root;
		return [
			item(
				{
					type: 'folder',
					name: root.name,
					size: files.reduce((total, entry) => total + entry.s, 0),
					handle: root.handle,
					fileCount: files.length,
					folderCount: entries.length - files.length,
				},
				itemIndex,
			),
		];
	});
}
