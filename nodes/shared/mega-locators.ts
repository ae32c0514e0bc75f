/**
 * File and folder pickers for MEGA (`resourceLocator`): From List (a searchable, paginated `listSearch` over the
 * account's tree), By Path, By URL (a MEGA link of one of the account's own exports, or the address of an item open
 * in MEGA's web app) and By ID (the 8-character handle). Shared by the MEGA Cloud node and the MEGA Trigger; a node
 * using them registers `searchMegaFolders` / `searchMegaFiles` under `methods.listSearch`.
 */
import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult, INodeProperties } from 'n8n-workflow';
import type { MegaClient, NodeRef } from '../../core/mega/client';
import { MegaError, MegaNotFoundError } from '../../core/mega/errors';
import { parseMegaLink } from '../../core/mega/links';
import type { MegaNode } from '../../core/mega/tree';
import { getMegaClient } from './mega-client';
import { toNodeError } from './errors';

export type MegaLocatorKind = 'folder' | 'file' | 'any';
export type MegaLocatorMode = 'list' | 'path' | 'url' | 'id';

export const MEGA_HANDLE_PATTERN = '^[A-Za-z0-9_-]{8}$';
const HANDLE = new RegExp(MEGA_HANDLE_PATTERN);
const MEGA_URL = /^(https?:\/\/)?(www\.)?mega\.(nz|co\.nz|app)\//i;
/** Address of an item open in MEGA's web app: https://mega.nz/fm/<handle>. */
export const MEGA_WEB_APP_URL = 'https://mega.nz/fm/';
const LIST_PAGE_SIZE = 100;

/** A refusal of the user's input (n8n shows it as a NodeOperationError, see errors.ts). */
export class MegaInputError extends MegaError {
	readonly input = true;
	constructor(message: string, hint?: string) {
		super(message, { code: 'EINPUT', cause: 'bad-request', hint });
	}
}

export interface MegaLocatorOptions {
	name: string;
	displayName: string;
	kind: MegaLocatorKind;
	/** Default: `searchMegaFolders` for folders, `searchMegaFiles` otherwise. */
	searchListMethod?: string;
	description?: string;
	required?: boolean;
	hint?: string;
}

/** A MEGA file/folder `resourceLocator` property (From List is the default mode). */
export function megaLocator(options: MegaLocatorOptions): INodeProperties {
	const noun = options.kind === 'any' ? 'item' : options.kind;
	const searchListMethod = options.searchListMethod ?? (options.kind === 'folder' ? 'searchMegaFolders' : 'searchMegaFiles');
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: options.required ?? true,
		...(options.description ? { description: options.description } : {}),
		...(options.hint ? { hint: options.hint } : {}),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a ${noun}...`,
				typeOptions: { searchListMethod, searchable: true },
			},
			{
				displayName: 'By Path',
				name: 'path',
				type: 'string',
				placeholder: options.kind === 'file' ? 'e.g. /Documents/report.pdf' : 'e.g. /Documents/Reports',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^/.*',
							errorMessage: 'A path starts with / (the Cloud Drive root), e.g. /Documents/Reports; //bin/… is the Rubbish Bin',
						},
					},
				],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: options.kind === 'file' ? 'e.g. https://mega.nz/file/AbCd1234#…' : 'e.g. https://mega.nz/folder/AbCd1234#… or https://mega.nz/fm/AbCd1234',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^(https?://)?(www\\.)?mega\\.(nz|co\\.nz|app)/.+',
							errorMessage: 'Paste a MEGA link of this account (https://mega.nz/folder/… or /file/…) or the address shown in MEGA (https://mega.nz/fm/…)',
						},
					},
				],
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. AbCd12_-',
				validation: [
					{
						type: 'regex',
						properties: { regex: MEGA_HANDLE_PATTERN, errorMessage: 'A MEGA handle (ID) is 8 letters, digits, "-" or "_", e.g. AbCd12_-' },
					},
				],
			},
		],
	} as INodeProperties;
}

export function megaFolderLocator(overrides: Partial<MegaLocatorOptions> = {}): INodeProperties {
	return megaLocator({ name: 'folder', displayName: 'Folder', kind: 'folder', ...overrides });
}

export function megaFileLocator(overrides: Partial<MegaLocatorOptions> = {}): INodeProperties {
	return megaLocator({ name: 'file', displayName: 'File', kind: 'file', ...overrides });
}

export interface LocatorValue {
	mode: MegaLocatorMode | 'auto';
	value: string;
}

/** `{ __rl, mode, value }` as n8n stores it, or a plain string from an expression (its form decides the mode). */
export function readLocatorValue(raw: unknown): LocatorValue {
	if (raw !== null && typeof raw === 'object' && 'value' in (raw as Record<string, unknown>)) {
		const record = raw as { mode?: unknown; value?: unknown };
		const mode = typeof record.mode === 'string' ? record.mode : 'auto';
		return { mode: (['list', 'path', 'url', 'id'].includes(mode) ? mode : 'auto') as LocatorValue['mode'], value: String(record.value ?? '').trim() };
	}
	return { mode: 'auto', value: typeof raw === 'string' ? raw.trim() : raw === undefined || raw === null ? '' : String(raw).trim() };
}

function checkHandle(value: string): string {
	if (!HANDLE.test(value)) {
		throw new MegaInputError(`"${value}" is not a MEGA handle (ID)`, 'A handle is 8 letters, digits, "-" or "_", as in the "handle" field of earlier MEGA items.');
	}
	return value;
}

/** The handle named by a MEGA URL: an `/fm/<handle>` address, or one of the account's own exported links. */
async function refFromUrl(client: MegaClient, url: string, signal?: AbortSignal): Promise<NodeRef> {
	if (!MEGA_URL.test(url)) {
		throw new MegaInputError(`"${url}" is not a MEGA address`, 'Paste a link such as https://mega.nz/folder/… or the address of the folder open in MEGA (https://mega.nz/fm/…).');
	}
	const parsedUrl = new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`);
	const segments = parsedUrl.pathname.split('/').filter(Boolean);
	if (segments[0] === 'fm') {
		const handles = segments.slice(1).filter((segment) => HANDLE.test(segment));
		return handles.length > 0 ? { handle: handles[handles.length - 1] } : { path: '/' };
	}
	const link = parseMegaLink(url);
	if (link.kind !== 'password' && link.childHandle) return { handle: link.childHandle };
	const tree = await client.tree({ signal });
	for (const [nodeHandle, publicHandle] of tree.publicHandles) {
		if (publicHandle === link.handle) return { handle: nodeHandle };
	}
	throw new MegaNotFoundError(
		'This link is not a link of this account (or it was removed)',
		'To copy someone else\'s link into the account use Public Link → Import; to read it, use Public Link → Download or List.',
	);
}

export interface ResolveLocatorOptions {
	signal?: AbortSignal;
	/** An empty value means the Cloud Drive root (e.g. an upload destination) instead of an error. */
	emptyMeansRoot?: boolean;
	/** What the field is called in messages, e.g. "Destination Folder". */
	label?: string;
}

/** The node a locator value names, checked to be of the expected kind. */
export async function resolveMegaLocator(client: MegaClient, raw: unknown, kind: MegaLocatorKind, options: ResolveLocatorOptions = {}): Promise<MegaNode> {
	const { mode, value } = readLocatorValue(raw);
	const noun = kind === 'any' ? 'file or folder' : kind;
	const label = options.label ?? (kind === 'any' ? 'Item' : kind === 'file' ? 'File' : 'Folder');
	let ref: NodeRef;
	if (value === '') {
		if (!options.emptyMeansRoot) {
			throw new MegaInputError(`No ${noun} chosen in "${label}"`, `Pick a ${noun} from the list, or give its path, link or ID.`);
		}
		ref = { path: '/' };
	} else if (mode === 'path') {
		if (!value.startsWith('/')) throw new MegaInputError(`The path "${value}" must start with /`, 'Paths start at the Cloud Drive root, e.g. /Documents/Reports.');
		ref = { path: value };
	} else if (mode === 'id' || mode === 'list') {
		ref = { handle: checkHandle(value) };
	} else if (mode === 'url') {
		ref = await refFromUrl(client, value, options.signal);
	} else if (value.startsWith('/')) {
		ref = { path: value };
	} else if (MEGA_URL.test(value)) {
		ref = await refFromUrl(client, value, options.signal);
	} else if (HANDLE.test(value)) {
		ref = value;
	} else {
		ref = { path: `/${value}` };
	}
	const node = await client.info(ref, { signal: options.signal });
	if (kind === 'folder' && node.type === 'file') {
		throw new MegaInputError(`"${node.path}" is a file, but "${label}" needs a folder`, 'Choose a folder.');
	}
	if (kind === 'file' && node.type !== 'file') {
		throw new MegaInputError(`"${node.path}" is a folder, but "${label}" needs a file`, 'Choose a file, or use the Folder resource for folders.');
	}
	return node;
}

async function searchTree(ctx: ILoadOptionsFunctions, kind: 'folder' | 'file', filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	try {
		const client = await getMegaClient(ctx);
		const tree = await client.tree();
		const root = tree.get(tree.rootHandle);
		const entries = tree.descendants(tree.rootHandle).filter((entry) => entry.t === (kind === 'folder' ? 1 : 0));
		await tree.prepareNames(entries);
		const needle = filter?.trim().toLowerCase() ?? '';
		const matches: INodeListSearchItems[] = [];
		if (kind === 'folder' && root && (needle === '' || 'cloud drive'.includes(needle) || needle === '/')) {
			matches.push({ name: '/ (Cloud Drive)', value: root.h, url: `${MEGA_WEB_APP_URL}${root.h}` });
		}
		const listed = entries
			.map((entry) => ({ path: tree.pathOf(entry), handle: entry.h }))
			.filter((entry) => needle === '' || entry.path.toLowerCase().includes(needle))
			.sort((a, b) => a.path.localeCompare(b.path));
		for (const entry of listed) matches.push({ name: entry.path, value: entry.handle, url: `${MEGA_WEB_APP_URL}${entry.handle}` });
		const offset = Math.max(0, Number.parseInt(paginationToken ?? '0', 10) || 0);
		const page = matches.slice(offset, offset + LIST_PAGE_SIZE);
		const next = offset + LIST_PAGE_SIZE < matches.length ? String(offset + LIST_PAGE_SIZE) : undefined;
		return { results: page, ...(next ? { paginationToken: next } : {}) };
	} catch (error) {
		throw toNodeError(ctx.getNode(), error, 0);
	}
}

/** listSearch: folders of the Cloud Drive by path, filtered by a case-insensitive substring, 100 per page. */
export async function searchMegaFolders(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return await searchTree(this, 'folder', filter, paginationToken);
}

/** listSearch: files of the Cloud Drive by path, filtered by a case-insensitive substring, 100 per page. */
export async function searchMegaFiles(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return await searchTree(this, 'file', filter, paginationToken);
}
