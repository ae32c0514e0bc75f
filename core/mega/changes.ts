/**
 * The change feed as typed events. The tree (`tree.ts`) applies MEGA's action packets (`t`, `u`, `d`, `ph`, `s2`)
 * and describes each change as one of these events, with decrypted names and paths, and whether this process's own
 * request caused it (MEGA echoes the command's `i` in the packets it generates).
 */
import type { MegaNode, MegaNodeType, MegaTree } from './tree';

export type MegaChangeType = 'added' | 'updated' | 'renamed' | 'moved' | 'deleted' | 'attributes' | 'linked' | 'unlinked';

export interface MegaChangePrevious {
	name: string;
	path: string;
	parentHandle: string | null;
	/** What it was (so a deleted item can still be told file from folder). */
	type?: MegaNodeType;
	size?: number;
	/** Handles of the folders above it then, nearest first (scope checks that names cannot fool). */
	ancestors?: string[];
}

export interface MegaChangeEvent {
	/**
	 * added: a new file or folder; updated: a new version of a file; renamed; moved (including into the rubbish bin);
	 * deleted (permanently); attributes: other attributes changed; linked / unlinked: a public link was created / removed.
	 */
	type: MegaChangeType;
	handle: string;
	/** The node after the change (absent for deleted). */
	node?: MegaNode;
	/** What it was before (renamed, moved, deleted). */
	previous?: MegaChangePrevious;
	/**
	 * True when the state before is not known: a change read from an older position after a restart (against a tree
	 * rebuilt as it is now) to a node that stretch of the feed had not shown before. `previous` then has no name, path
	 * or ancestors; such a `renamed` may also be a change of other attributes.
	 */
	previousUnknown?: boolean;
	/** Handles of the folders above the node after the change, nearest first (absent for deleted). */
	ancestors?: string[];
	/** True when a request of this process caused the change. */
	own: boolean;
	/** The feed position after the batch that carried this change. */
	sn: string;
}

export interface MegaChangeBatch {
	events: MegaChangeEvent[];
	/** Store this and pass it back next time. */
	sn: string;
	/**
	 * The given position was too old for MEGA's change log (-6) or unknown: the tree was reloaded and changes in between
	 * could not be listed. Callers should fall back to comparing timestamps.
	 */
	tooFarBehind: boolean;
	/**
	 * With `tooFarBehind`, when this process held the tree at or after `since` before it had to reload: that tree (its
	 * `sn` says up to where), to compare with the reloaded one; `events` then holds the changes from `since` up to it,
	 * as this process saw them. Without it `events` is empty.
	 */
	previousTree?: MegaTree;
}

/** Event types a trigger usually watches, for filtering. */
export const MEGA_CHANGE_TYPES: readonly MegaChangeType[] = ['added', 'updated', 'renamed', 'moved', 'deleted', 'attributes', 'linked', 'unlinked'];
