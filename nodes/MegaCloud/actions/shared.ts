/** Small pieces every MEGA Cloud operation uses: the client, locator resolution, listings as items, and the in-memory binary hint. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { MegaClient } from '../../../core/mega/client';
import type { MegaNode } from '../../../core/mega/tree';
import { getMegaClient, resolveMegaLocator, type MegaLocatorKind, type ResolveLocatorOptions } from '../../shared';
import { cancelSignal, item, locatorParameter, nodeJson, optionsParameter } from './params';

export async function client(ctx: IExecuteFunctions): Promise<MegaClient> {
	return await getMegaClient(ctx);
}

/** Resolves the locator parameter `name` of item `itemIndex` to a node of the expected kind. */
export async function locate(
	ctx: IExecuteFunctions,
	mega: MegaClient,
	name: string,
	itemIndex: number,
	kind: MegaLocatorKind,
	options: Omit<ResolveLocatorOptions, 'signal'> = {},
): Promise<MegaNode> {
	return await resolveMegaLocator(mega, locatorParameter(ctx, name, itemIndex), kind, { ...options, signal: cancelSignal(ctx) });
}

/** A listing as output items: sorted by path (in place), at most `limit` of them (undefined: Return All). */
export function listingItems(nodes: MegaNode[], limit: number | undefined, itemIndex: number): INodeExecutionData[] {
	const sorted = nodes.sort((a, b) => a.path.localeCompare(b.path));
	return sorted.slice(0, limit ?? sorted.length).map((node) => item(nodeJson(node), itemIndex));
}

/** Node runs (execute contexts) that already carry the hint. */
const hinted = new WeakSet<object>();

/**
 * In n8n's in-memory binary mode ("default"), every file passes through the heap as base64: say once per node run
 * that filesystem mode streams instead.
 */
export function hintMemoryMode(ctx: IExecuteFunctions): void {
	if (hinted.has(ctx) || typeof ctx.addExecutionHints !== 'function') return;
	hinted.add(ctx);
	ctx.addExecutionHints({
		message:
			'Binary data is kept in memory (n8n binary mode "default"): large MEGA files may exhaust it. Set N8N_DEFAULT_BINARY_DATA_MODE=filesystem so files stream through disk.',
		location: 'outputPane',
	});
}

/** The "Type" option of listings and search: files, folders or both (`all`). */
export const nodeTypeOption: INodeProperties = {
	displayName: 'Type',
	name: 'type',
	type: 'options',
	default: 'all',
	options: [
		{ name: 'Files and Folders', value: 'all' },
		{ name: 'Files Only', value: 'file' },
		{ name: 'Folders Only', value: 'folder' },
	],
};

export const permanentlyOption: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Delete Permanently',
			name: 'permanently',
			type: 'boolean',
			default: false,
			description: 'Whether to delete at once instead of moving to the Rubbish Bin (cannot be undone)',
		},
	],
};

/** Moves to the Rubbish Bin (default) or deletes permanently; the output says which. */
export async function deleteNode(ctx: IExecuteFunctions, mega: MegaClient, node: MegaNode, itemIndex: number): Promise<IDataObject> {
	const permanently = optionsParameter(ctx, itemIndex).permanently === true;
	if (permanently) {
		await mega.delete({ handle: node.handle }, { signal: cancelSignal(ctx) });
		return { handle: node.handle, name: node.name, path: node.path, type: node.type, deleted: true, permanently: true };
	}
	const trashed = await mega.trash({ handle: node.handle }, { signal: cancelSignal(ctx) });
	return { ...nodeJson(trashed), deleted: true, permanently: false };
}

export const linkOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Protect the link with a password (a #P! link): the key is only revealed to people who know it',
		},
	],
};

/** Exports the node (or reuses its link); with a password the output carries only the protected link. */
export async function createLink(ctx: IExecuteFunctions, mega: MegaClient, node: MegaNode, itemIndex: number): Promise<IDataObject> {
	const password = String(optionsParameter(ctx, itemIndex).password ?? '');
	const { url, node: exported } = await mega.createLink({ handle: node.handle }, { signal: cancelSignal(ctx), ...(password ? { password } : {}) });
	return { ...nodeJson(exported), link: url, passwordProtected: password !== '' };
}
