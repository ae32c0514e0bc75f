import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import type { MegaClient } from '../../core/mega/client';
import { MegaNotFoundError } from '../../core/mega/errors';
import { toNodeError } from '../shared/errors';
import { getMegaClient, megaApiTest } from '../shared/mega-client';
import { megaFolderLocator, resolveMegaLocator, searchMegaFolders } from '../shared/mega-locators';
import { oneAtATime, pollChanges, readCursor, writeCursor } from './cursor';
import { TRIGGER_EVENTS, ScopeMatcher, itemsFromEvents, newestFileInScope, parseExtensions, type TriggerEvent, type TriggerItem } from './events';

const EVENT_NAMES: Record<TriggerEvent, string> = {
	fileAdded: 'File Added',
	folderAdded: 'Folder Added',
	fileUpdated: 'File Updated',
	renamed: 'Renamed',
	moved: 'Moved',
	deleted: 'Deleted',
	linkCreated: 'Link Created',
	linkRemoved: 'Link Removed',
};

const EVENT_DESCRIPTIONS: Record<TriggerEvent, string> = {
	fileAdded: 'A file was uploaded, copied, restored or moved into the folder',
	folderAdded: 'A folder was created, restored or moved into the folder',
	fileUpdated: 'A new version of a file was uploaded',
	renamed: 'A file or folder was renamed (the item has the old and new name)',
	moved: 'A file or folder moved within the watched folder (the item has the old and new path)',
	deleted: 'A file or folder went to the Rubbish Bin, was removed, or left the folder (the item says which)',
	linkCreated: 'A public link was created for a file or folder',
	linkRemoved: 'A public link was removed',
};

/** Until measured in this process, downloads are assumed to run at 5 MB/s when deciding what fits a poll's time budget. */
let downloadBytesPerMs = 5_000;
/** Part of the poll budget kept free for n8n's own work after the poll. */
const BUDGET_RESERVE = 0.2;

/** The handle of the watched folder per trigger and locator value, so idle polls make no request to resolve it. */
const scopeHandles = new Map<string, string>();

export class MegaTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MEGA Trigger',
		name: 'megaTrigger',
		icon: { light: 'file:megaTrigger.svg', dark: 'file:megaTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		// In words: "On File Added, Deleted".
		subtitle:
			'={{ "On " + ($parameter["events"] || []).map(e => ({ fileAdded: "File Added", folderAdded: "Folder Added", fileUpdated: "File Updated", renamed: "Renamed", moved: "Moved", deleted: "Deleted", linkCreated: "Link Created", linkRemoved: "Link Removed" })[e]).join(", ") }}',
		description: 'Starts the workflow when files or folders change in MEGA Cloud Drive',
		defaults: { name: 'MEGA Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'megaApi', required: true, testedBy: 'megaApiTest' }],
		properties: [
			{
				displayName: 'Trigger On',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['fileAdded'],
				description: 'Which changes start the workflow (one item per change)',
				options: TRIGGER_EVENTS.map((value) => ({ name: EVENT_NAMES[value], value, description: EVENT_DESCRIPTIONS[value] })),
			},
			{
				...megaFolderLocator({
					name: 'folder',
					displayName: 'Folder',
					required: false,
					description: 'The folder to watch. Leave empty to watch the whole Cloud Drive.',
				}),
			},
			{
				displayName: 'Include Subfolders',
				name: 'includeSubfolders',
				type: 'boolean',
				default: true,
				description: 'Whether changes in folders below the watched folder count too',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'File Extensions',
						name: 'fileExtensions',
						type: 'string',
						default: '',
						placeholder: 'e.g. pdf, jpg',
						description: 'Only files with one of these extensions (comma-separated); folders never match',
					},
					{
						displayName: 'Ignore Own Changes',
						name: 'ignoreOwnChanges',
						type: 'boolean',
						default: true,
						description:
							"Whether to skip changes caused by this n8n's own MEGA requests (for example a MEGA Cloud node uploading into the watched folder), so a workflow cannot trigger itself forever",
					},
					{
						displayName: 'Include File Content',
						name: 'includeContent',
						type: 'boolean',
						default: false,
						description:
							'Whether to download the file as binary data (property "data") for File Added and File Updated. When a download would not fit the time n8n gives a poll, the item comes without it and says why.',
					},
					{
						displayName: 'Name Filter',
						name: 'nameFilter',
						type: 'string',
						default: '',
						placeholder: 'e.g. invoice-*.pdf',
						description: 'Only items whose name matches this pattern (* any text, ? one character, not case-sensitive)',
					},
				],
			},
		],
	};

	methods = {
		listSearch: { searchMegaFolders },
		credentialTest: { megaApiTest },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const node = this.getNode();
		// Overlapping polls of one trigger run one after another, so none reads a cursor another is about to move.
		return await oneAtATime(`${this.getWorkflow().id ?? ''}:${node.id ?? node.name}`, async () => {
			try {
				return await pollOnce(this);
			} catch (error) {
				throw toNodeError(node, error, 0);
			}
		});
	}
}

interface TriggerSettings {
	events: Set<TriggerEvent>;
	includeSubfolders: boolean;
	nameGlob: string;
	extensions: string[];
	ignoreOwn: boolean;
	includeContent: boolean;
}

function readSettings(ctx: IPollFunctions): TriggerSettings {
	const events = ctx.getNodeParameter('events', []) as TriggerEvent[];
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	return {
		events: new Set(events),
		includeSubfolders: ctx.getNodeParameter('includeSubfolders', true) as boolean,
		nameGlob: typeof options.nameFilter === 'string' ? options.nameFilter.trim() : '',
		extensions: parseExtensions(typeof options.fileExtensions === 'string' ? options.fileExtensions : ''),
		ignoreOwn: options.ignoreOwnChanges !== false,
		includeContent: options.includeContent === true,
	};
}

async function scopeFolderHandle(ctx: IPollFunctions, client: MegaClient): Promise<string> {
	const raw = ctx.getNodeParameter('folder', '') as unknown;
	const node = ctx.getNode();
	const key = `${ctx.getWorkflow().id ?? ''}:${node.id ?? node.name}:${client.userHandle}:${JSON.stringify(raw)}`;
	const known = scopeHandles.get(key);
	// A known folder is checked against the live tree the feed just refreshed; a watched folder that was renamed or
	// moved stays watched (it is followed by handle).
	if (known && (await client.tree().then((tree) => tree.get(known) !== undefined))) return known;
	const folder = await resolveMegaLocator(client, raw, 'folder', { emptyMeansRoot: true, label: 'Folder' });
	scopeHandles.set(key, folder.handle);
	return folder.handle;
}

async function pollOnce(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const started = Date.now();
	const settings = readSettings(ctx);
	if (settings.events.size === 0) {
		throw new NodeOperationError(ctx.getNode(), 'No event chosen in "Trigger On"', { description: 'Choose at least one kind of change to trigger on.' });
	}
	const client = await getMegaClient(ctx);
	const resolveScope = async () =>
		new ScopeMatcher({
			folderHandle: await scopeFolderHandle(ctx, client),
			includeSubfolders: settings.includeSubfolders,
			events: settings.events,
			nameGlob: settings.nameGlob,
			extensions: settings.extensions,
			ignoreOwn: settings.ignoreOwn,
		});
	const staticData = ctx.getWorkflowStaticData('node');
	const cursor = readCursor(staticData);

	if (ctx.getMode() === 'manual') {
		const sample = await manualSample(ctx, client, cursor?.sn, resolveScope);
		return [[await withContent(ctx, client, sample, settings, started)]];
	}

	const outcome = await pollChanges(client, cursor, resolveScope);
	const items: INodeExecutionData[] = [];
	for (const item of outcome.items) items.push(await withContent(ctx, client, item, settings, started));
	// Only now, with every item ready: a poll that failed above keeps the old cursor and the next one retries.
	writeCursor(staticData, outcome.cursor);
	return items.length > 0 ? [items] : null;
}

/**
 * "Fetch Test Event": the most recent matching change since the stored position, else the most recent matching
 * file; the cursor is neither read for more nor moved.
 */
async function manualSample(ctx: IPollFunctions, client: MegaClient, since: string | undefined, resolveScope: () => Promise<ScopeMatcher>): Promise<TriggerItem> {
	const matcher = await resolveScope();
	if (since) {
		const batch = await client.changes(since);
		if (!batch.tooFarBehind) {
			const items = itemsFromEvents(batch.events, matcher);
			if (items.length > 0) return items[items.length - 1];
		}
	}
	const tree = await client.tree();
	const sample = await newestFileInScope(tree, matcher);
	if (sample) return sample;
	const folder = tree.get(matcher.scope.folderHandle);
	const where = folder ? tree.pathOf(folder) : 'the watched folder';
	throw new NodeOperationError(ctx.getNode(), `No matching change or file found in "${where}"`, {
		description: 'Add or change a file there (or loosen the name and extension filters), then fetch a test event again.',
	});
}

async function withContent(ctx: IPollFunctions, client: MegaClient, item: TriggerItem, settings: TriggerSettings, started: number): Promise<INodeExecutionData> {
	const json = item as unknown as IDataObject;
	if (!settings.includeContent || item.type !== 'file' || (item.event !== 'fileAdded' && item.event !== 'fileUpdated')) return { json };
	const budgetMs = typeof ctx.getPollBudgetMs === 'function' ? ctx.getPollBudgetMs() : undefined;
	if (budgetMs !== undefined && Number.isFinite(budgetMs)) {
		const left = budgetMs * (1 - BUDGET_RESERVE) - (Date.now() - started);
		const needed = item.size / downloadBytesPerMs;
		if (needed > left) {
			return {
				json: {
					...json,
					contentSkipped: `The file (${item.size} bytes) would take about ${Math.ceil(needed / 1000)} s to download, more than this poll has left (${Math.max(0, Math.floor(left / 1000))} s). Download it with a MEGA Cloud node using the handle.`,
				},
			};
		}
	}
	const began = Date.now();
	try {
		const stream = await client.download(item.handle);
		const data = await ctx.helpers.prepareBinaryData(stream, item.name);
		const took = Date.now() - began;
		if (item.size >= 1024 * 1024 && took > 0) downloadBytesPerMs = item.size / took;
		return { json, binary: { data } };
	} catch (error) {
		if (error instanceof MegaNotFoundError) {
			return { json: { ...json, contentSkipped: 'The file was deleted or replaced before it could be downloaded.' } };
		}
		// Transfer quota and the like fail the poll (its cursor stays), so n8n backs off and the next poll retries.
		throw toNodeError(ctx.getNode(), error, 0);
	}
}
