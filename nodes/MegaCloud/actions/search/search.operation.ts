import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { MegaInputError, megaFolderLocator } from '../../../shared';
import { forOperation, limitField, returnAllField } from '../common.descriptions';
import { cancelSignal, limitParameter, optionsParameter, stringParameter } from '../params';
import { client, listingItems, locate, nodeTypeOption } from '../shared';

export const description: INodeProperties[] = forOperation('search', 'search', [
	{
		displayName: 'Name',
		name: 'query',
		type: 'string',
		default: '',
		placeholder: 'e.g. invoice-*.pdf',
		description: 'Names to find: a pattern where * is any text and ? one character (case-insensitive), or a regular expression (see Options). Empty: every name.',
	},
	{ ...megaFolderLocator({ name: 'folder', displayName: 'Search In Folder', required: false }), description: 'Where to search; empty: the whole Cloud Drive' },
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
				default: true,
				description: 'Whether to search inside subfolders too',
			},
			{ displayName: 'Maximum Size (Bytes)', name: 'maxSize', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'Only files up to this size; 0: no limit' },
			{ displayName: 'Minimum Size (Bytes)', name: 'minSize', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'Only files at least this size' },
			{ displayName: 'Modified After', name: 'modifiedAfter', type: 'dateTime', default: '' },
			{ displayName: 'Modified Before', name: 'modifiedBefore', type: 'dateTime', default: '' },
			{
				displayName: 'Name Is a Regular Expression',
				name: 'regex',
				type: 'boolean',
				default: false,
				description: 'Whether Name is a JavaScript regular expression (e.g. ^report-\\d{4}\\.csv$) instead of a * / ? pattern',
			},
			nodeTypeOption,
		],
	},
]);

function dateOption(value: unknown, label: string): Date | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const date = new Date(String(value));
	if (Number.isNaN(date.getTime())) throw new MegaInputError(`"${String(value)}" in "${label}" is not a date`, 'Use a date such as 2026-01-31 or 2026-01-31T12:00:00Z.');
	return date;
}

/** Files and folders by name, type, size and modification date; one item per match, sorted by path. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const query = stringParameter(this, 'query', itemIndex).trim();
	const options = optionsParameter(this, itemIndex);
	let regex: RegExp | undefined;
	if (options.regex === true && query) {
		try {
			regex = new RegExp(query);
		} catch {
			regex = undefined;
		}
		if (!regex) throw new MegaInputError(`"${query}" is not a valid regular expression`, 'Fix the expression, or turn off "Name Is a Regular Expression" to use a * / ? pattern.');
	}
	const type = (options.type as string | undefined) ?? 'all';
	const minSize = Number(options.minSize ?? 0);
	const maxSize = Number(options.maxSize ?? 0);
	const mega = await client(this);
	const folder = await locate(this, mega, 'folder', itemIndex, 'folder', { emptyMeansRoot: true, label: 'Search In Folder' });
	const limit = limitParameter(this, itemIndex);
	const results = await mega.search(
		{
			under: { handle: folder.handle },
			recursive: options.recursive !== false,
			...(regex ? { regex } : query ? { name: query } : {}),
			...(type === 'file' || type === 'folder' ? { type } : {}),
			...(minSize > 0 ? { minSize } : {}),
			...(maxSize > 0 ? { maxSize } : {}),
			modifiedAfter: dateOption(options.modifiedAfter, 'Modified After'),
			modifiedBefore: dateOption(options.modifiedBefore, 'Modified Before'),
		},
		{ signal: cancelSignal(this) },
	);
	return listingItems(results, limit, itemIndex);
}
