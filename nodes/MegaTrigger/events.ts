/**
 * Turns the core's typed change events (and, after MEGA's -6, a comparison of trees) into the trigger's output items:
 * which changes are in the watched scope, which event each one is, and what the item says about it.
 */
import type { MegaChangeEvent, MegaChangePrevious } from '../../core/mega/changes';
import type { MegaNode, MegaTree, TreeEntry } from '../../core/mega/tree';

export type TriggerEvent = 'fileAdded' | 'folderAdded' | 'fileUpdated' | 'renamed' | 'moved' | 'deleted' | 'linkCreated' | 'linkRemoved';

export const TRIGGER_EVENTS: readonly TriggerEvent[] = ['fileAdded', 'folderAdded', 'fileUpdated', 'renamed', 'moved', 'deleted', 'linkCreated', 'linkRemoved'];

/** Why an item is an addition or a deletion when the node itself was only moved. */
export type TriggerReason = 'movedIntoScope' | 'restoredFromRubbishBin' | 'movedOutOfScope' | 'movedToRubbishBin' | 'removed';

export interface TriggerScope {
	/** Handle of the watched folder. */
	folderHandle: string;
	includeSubfolders: boolean;
	events: ReadonlySet<TriggerEvent>;
	/** Glob on the name (`*`, `?`), case-insensitive; empty = any name. */
	nameGlob?: string;
	/** Lower-case extensions without the dot; when set, only files with one of them match. */
	extensions?: readonly string[];
	/** Skip changes this process's own requests made. */
	ignoreOwn: boolean;
}

export interface TriggerItem {
	[key: string]: string | number | boolean | null | undefined;
	event: TriggerEvent;
	handle: string;
	name: string;
	path: string;
	type: 'file' | 'folder';
	size: number;
	modifiedAt: string | null;
	createdAt: string | null;
	parentHandle: string | null;
	link: string | null;
	/** Null when a change read after a restart cannot tell (see MegaChangeEvent.previousUnknown). */
	oldName?: string | null;
	newName?: string;
	oldPath?: string | null;
	newPath?: string;
	oldParentHandle?: string | null;
	/** Deleted: true when the item went to the Rubbish Bin, false when it was removed for good or left the scope. */
	inRubbishBin?: boolean;
	reason?: TriggerReason;
	/** The item came from the timestamp fallback after MEGA's change log no longer reached the stored position. */
	fromFallback?: boolean;
}

const RUBBISH_PATH = '//bin';

function globToRegExp(glob: string): RegExp {
	const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	return new RegExp(`^${escaped}$`, 'i');
}

/** Normalises the "File Extensions" option: `pdf, .JPG` → `['pdf', 'jpg']`. */
export function parseExtensions(text: string | undefined): string[] {
	if (!text) return [];
	return text
		.split(/[\s,;]+/)
		.map((part) => part.trim().replace(/^\*?\./, '').toLowerCase())
		.filter((part) => part !== '');
}

export class ScopeMatcher {
	private readonly nameRegex: RegExp | undefined;
	private readonly extensions: ReadonlySet<string>;

	constructor(readonly scope: TriggerScope) {
		this.nameRegex = scope.nameGlob ? globToRegExp(scope.nameGlob) : undefined;
		this.extensions = new Set(scope.extensions ?? []);
	}

	/** Whether a node whose folders above are `ancestors` (nearest first) lies in the watched folder. */
	containsAncestors(handle: string, ancestors: readonly string[] | undefined): boolean {
		if (!ancestors || handle === this.scope.folderHandle) return false;
		return this.scope.includeSubfolders ? ancestors.includes(this.scope.folderHandle) : ancestors[0] === this.scope.folderHandle;
	}

	/** Name and extension filters (extensions only ever match files). */
	nameMatches(name: string, type: string): boolean {
		if (this.nameRegex && !this.nameRegex.test(name)) return false;
		if (this.extensions.size > 0) {
			if (type !== 'file') return false;
			const dot = name.lastIndexOf('.');
			if (dot < 0 || !this.extensions.has(name.slice(dot + 1).toLowerCase())) return false;
		}
		return true;
	}

	wants(event: TriggerEvent): boolean {
		return this.scope.events.has(event);
	}
}

function iso(date: Date | undefined): string | null {
	return date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}

function kind(type: string | undefined): 'file' | 'folder' {
	return type === 'file' ? 'file' : 'folder';
}

function nodeItem(event: TriggerEvent, node: MegaNode): TriggerItem {
	return {
		event,
		handle: node.handle,
		name: node.name,
		path: node.path,
		type: kind(node.type),
		size: node.size,
		modifiedAt: iso(node.modifiedAt),
		createdAt: iso(node.createdAt),
		parentHandle: node.parentHandle,
		link: node.link,
	};
}

function goneItem(handle: string, previous: MegaChangePrevious, node: MegaNode | undefined): TriggerItem {
	return {
		event: 'deleted',
		handle,
		name: previous.name,
		path: previous.path,
		type: kind(node?.type ?? previous.type),
		size: node?.size ?? previous.size ?? 0,
		modifiedAt: iso(node?.modifiedAt),
		createdAt: iso(node?.createdAt),
		parentHandle: previous.parentHandle,
		link: null,
	};
}

function wasInRubbishBin(previous: MegaChangePrevious): boolean {
	return previous.path === RUBBISH_PATH || previous.path.startsWith(`${RUBBISH_PATH}/`);
}

/**
 * The items for one batch of change events, in feed order: one item per change in scope that passes the event, name
 * and loop-guard filters. A move across the scope boundary is an addition (moved in, restored) or a deletion (moved
 * out, trashed); the item's `reason` says which.
 */
export function itemsFromEvents(events: readonly MegaChangeEvent[], matcher: ScopeMatcher): TriggerItem[] {
	const items: TriggerItem[] = [];
	for (const event of events) {
		if (matcher.scope.ignoreOwn && event.own) continue;
		const item = itemFromEvent(event, matcher);
		if (item && matcher.wants(item.event)) items.push(item);
	}
	return items;
}

function itemFromEvent(event: MegaChangeEvent, matcher: ScopeMatcher): TriggerItem | undefined {
	const { node, previous } = event;
	const isIn = node !== undefined && matcher.containsAncestors(event.handle, event.ancestors);
	const wasIn = previous !== undefined && matcher.containsAncestors(event.handle, previous.ancestors);
	switch (event.type) {
		case 'added':
		case 'updated': {
			if (!node || !isIn || !matcher.nameMatches(node.name, node.type)) return undefined;
			if (event.type === 'updated') return node.type === 'file' ? nodeItem('fileUpdated', node) : undefined;
			return nodeItem(node.type === 'file' ? 'fileAdded' : 'folderAdded', node);
		}
		case 'renamed': {
			if (!node || !previous || !isIn) return undefined;
			if (!matcher.nameMatches(node.name, node.type) && !matcher.nameMatches(previous.name, node.type)) return undefined;
			const unknown = event.previousUnknown === true;
			return { ...nodeItem('renamed', node), oldName: unknown ? null : previous.name, newName: node.name, oldPath: unknown ? null : previous.path, newPath: node.path };
		}
		case 'moved': {
			if (!node || !previous) return undefined;
			if (isIn && event.previousUnknown) {
				// Read after a restart: it moved to here, from somewhere the rebuilt tree cannot tell.
				if (!matcher.nameMatches(node.name, node.type)) return undefined;
				return { ...nodeItem('moved', node), oldName: null, newName: node.name, oldPath: null, newPath: node.path, oldParentHandle: null };
			}
			if (isIn && wasIn) {
				if (!matcher.nameMatches(node.name, node.type)) return undefined;
				return {
					...nodeItem('moved', node),
					oldName: previous.name,
					newName: node.name,
					oldPath: previous.path,
					newPath: node.path,
					oldParentHandle: previous.parentHandle,
				};
			}
			if (isIn) {
				if (!matcher.nameMatches(node.name, node.type)) return undefined;
				return {
					...nodeItem(node.type === 'file' ? 'fileAdded' : 'folderAdded', node),
					oldPath: previous.path,
					oldParentHandle: previous.parentHandle,
					reason: wasInRubbishBin(previous) ? 'restoredFromRubbishBin' : 'movedIntoScope',
				};
			}
			if (wasIn) {
				if (!matcher.nameMatches(previous.name, node.type)) return undefined;
				return {
					...goneItem(event.handle, previous, node),
					newPath: node.path,
					inRubbishBin: node.inRubbishBin,
					reason: node.inRubbishBin ? 'movedToRubbishBin' : 'movedOutOfScope',
				};
			}
			return undefined;
		}
		case 'deleted': {
			if (!previous || !wasIn || !matcher.nameMatches(previous.name, previous.type ?? 'file')) return undefined;
			return { ...goneItem(event.handle, previous, undefined), inRubbishBin: false, reason: 'removed' };
		}
		case 'linked':
		case 'unlinked': {
			if (!node || !isIn || !matcher.nameMatches(node.name, node.type)) return undefined;
			return nodeItem(event.type === 'linked' ? 'linkCreated' : 'linkRemoved', node);
		}
		default:
			return undefined;
	}
}

/** The newest server creation time (seconds) among the nodes the events describe, or `since` when none is newer. */
export function newestCreation(events: readonly MegaChangeEvent[], since: number): number {
	let newest = since;
	for (const event of events) {
		const created = event.node ? Math.floor(event.node.createdAt.getTime() / 1000) : 0;
		if (created > newest) newest = created;
	}
	return newest;
}

/** The newest server creation time (seconds) of any node in the tree. */
export function newestCreationInTree(tree: MegaTree): number {
	let newest = 0;
	for (const entry of tree.nodes.values()) if (entry.ts > newest) newest = entry.ts;
	return newest;
}

function entriesInScope(tree: MegaTree, matcher: ScopeMatcher): TreeEntry[] {
	const folder = matcher.scope.folderHandle;
	if (!tree.get(folder)) return [];
	return matcher.scope.includeSubfolders ? tree.descendants(folder) : tree.listChildren(folder);
}

function inScopeOf(tree: MegaTree, entry: TreeEntry, matcher: ScopeMatcher): boolean {
	return !tree.isVersion(entry) && matcher.containsAncestors(entry.h, tree.ancestorsOf(entry));
}

/**
 * The fallback after MEGA's -6 (the stored position is older than MEGA's change log): additions are the nodes in scope
 * created at or after `since` (server time, seconds); with the tree this process held before the reload, nodes it
 * already had are left out, nodes it had in scope and that are gone (or left the scope) are deletions, and a file whose
 * replaced version was there is an update. Timestamps cannot reveal renames or moves; every item says `fromFallback`.
 */
export async function fallbackItems(current: MegaTree, previous: MegaTree | undefined, since: number, matcher: ScopeMatcher): Promise<TriggerItem[]> {
	const items: TriggerItem[] = [];
	if (previous) {
		const before = entriesInScope(previous, matcher);
		await previous.prepareNames(before);
		const gone = new Set<string>();
		for (const old of before) {
			const now = current.get(old.h);
			if (now && inScopeOf(current, now, matcher)) continue;
			// A file that became an old version of a newer one was updated, not deleted (the update is listed below).
			if (now && current.isVersion(now)) continue;
			gone.add(old.h);
			// As in the feed, a folder that went with its contents is one change (parents come before children here).
			if (old.p && gone.has(old.p)) continue;
			const name = previous.nameOf(old);
			const type = old.t === 0 ? 'file' : 'folder';
			if (!matcher.nameMatches(name, type)) continue;
			const previousState: MegaChangePrevious = { name, path: previous.pathOf(old), parentHandle: old.p, type, size: old.t === 0 ? old.s : 0 };
			const nowNode = now ? current.toNode(now) : undefined;
			items.push({
				...goneItem(old.h, previousState, nowNode),
				...(nowNode ? { newPath: nowNode.path } : {}),
				inRubbishBin: nowNode?.inRubbishBin ?? false,
				reason: !nowNode ? 'removed' : nowNode.inRubbishBin ? 'movedToRubbishBin' : 'movedOutOfScope',
				fromFallback: true,
			});
		}
	}
	const candidates = entriesInScope(current, matcher).filter((entry) => entry.ts >= since && !previous?.get(entry.h));
	candidates.sort((a, b) => a.ts - b.ts);
	await current.prepareNames(candidates);
	for (const entry of candidates) {
		const node = current.toNode(entry);
		if (!matcher.nameMatches(node.name, node.type)) continue;
		const replaced = node.type === 'file' && previous ? current.childrenOf(entry.h).some((version) => version.t === 0 && previous.get(version.h) !== undefined) : false;
		items.push({ ...nodeItem(replaced ? 'fileUpdated' : node.type === 'file' ? 'fileAdded' : 'folderAdded', node), fromFallback: true });
	}
	return items.filter((item) => matcher.wants(item.event));
}

/** The most recently modified file in scope that passes the filters (the manual test's sample when no change is known). */
export async function newestFileInScope(tree: MegaTree, matcher: ScopeMatcher): Promise<TriggerItem | undefined> {
	const files = entriesInScope(tree, matcher).filter((entry) => entry.t === 0);
	await tree.prepareNames(files);
	let best: MegaNode | undefined;
	for (const entry of files) {
		const node = tree.toNode(entry);
		if (!matcher.nameMatches(node.name, node.type)) continue;
		if (!best || node.modifiedAt.getTime() > best.modifiedAt.getTime() || (node.modifiedAt.getTime() === best.modifiedAt.getTime() && node.createdAt > best.createdAt)) best = node;
	}
	return best ? nodeItem('fileAdded', best) : undefined;
}
