/**
 * The trigger's cursor and one poll's worth of changes. The cursor is `{ sn, ts }` in workflow static data and
 * nothing else (small, no secrets, any instance can resume from it): `sn` is MEGA's change-feed position, `ts` the
 * newest server creation time (seconds) seen, for the fallback when MEGA no longer has the log from `sn` (-6).
 */
import type { MegaChangeBatch } from '../../core/mega/changes';
import type { MegaTree } from '../../core/mega/tree';
import { fallbackItems, itemsFromEvents, newestCreation, newestCreationInTree, type ScopeMatcher, type TriggerItem } from './events';

export interface TriggerCursor {
	sn: string;
	ts: number;
}

/** What the poll needs from the MEGA client (MegaClient has both). */
export interface ChangeSource {
	changes(since?: string, options?: { signal?: AbortSignal }): Promise<MegaChangeBatch>;
	tree(options?: { signal?: AbortSignal }): Promise<MegaTree>;
}

export function readCursor(data: Record<string, unknown>): TriggerCursor | undefined {
	const { sn, ts } = data;
	if (typeof sn !== 'string' || sn === '') return undefined;
	return { sn, ts: typeof ts === 'number' && Number.isFinite(ts) ? ts : 0 };
}

/** Replaces the node's static data with the cursor (only `sn` and `ts`), touching it only when something changed. */
export function writeCursor(data: Record<string, unknown>, cursor: TriggerCursor): void {
	if (data.sn === cursor.sn && data.ts === cursor.ts && Object.keys(data).length === 2) return;
	for (const key of Object.keys(data)) if (key !== 'sn' && key !== 'ts') delete data[key];
	data.sn = cursor.sn;
	data.ts = cursor.ts;
}

export interface PollOutcome {
	items: TriggerItem[];
	cursor: TriggerCursor;
	/** The first poll: the position was recorded and nothing is emitted (no replay of history). */
	firstActivation: boolean;
	/** MEGA's log no longer reached the cursor: the items come from the timestamp fallback. */
	fellBack: boolean;
	/** The tree the items were computed against. */
	tree?: MegaTree;
}

/**
 * Reads the changes since the cursor and turns them into items. Resolving the watched folder is left to
 * `resolveScope`, called after the feed was read, so an idle poll is one `sc` request. Nothing is stored here: the
 * caller writes the returned cursor only once everything succeeded (a failed poll leaves the old one).
 */
export async function pollChanges(
	source: ChangeSource,
	cursor: TriggerCursor | undefined,
	resolveScope: () => Promise<ScopeMatcher>,
	signal?: AbortSignal,
): Promise<PollOutcome> {
	const batch = await source.changes(cursor?.sn, { signal });
	if (!cursor) {
		const tree = await source.tree({ signal });
		return { items: [], cursor: { sn: batch.sn, ts: newestCreationInTree(tree) }, firstActivation: true, fellBack: false, tree };
	}
	if (batch.tooFarBehind) {
		const matcher = await resolveScope();
		const tree = await source.tree({ signal });
		// Changes this process saw before it had to reload are exact; the rest comes from comparing trees and timestamps.
		const exact = itemsFromEvents(batch.events, matcher);
		const items = [...exact, ...(await fallbackItems(tree, batch.previousTree, cursor.ts, matcher))];
		return { items, cursor: { sn: batch.sn, ts: Math.max(newestCreation(batch.events, cursor.ts), newestCreationInTree(tree)) }, firstActivation: false, fellBack: true, tree };
	}
	if (batch.events.length === 0) return { items: [], cursor: { sn: batch.sn, ts: cursor.ts }, firstActivation: false, fellBack: false };
	const matcher = await resolveScope();
	return { items: itemsFromEvents(batch.events, matcher), cursor: { sn: batch.sn, ts: newestCreation(batch.events, cursor.ts) }, firstActivation: false, fellBack: false };
}

const running = new Map<string, Promise<unknown>>();

/**
 * Runs polls of the same trigger one after another in this process, so overlapping polls (n8n counts them) read the
 * cursor the previous one wrote and never emit a change twice.
 */
export async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
	const before = running.get(key) ?? Promise.resolve();
	const run = before.then(work, work);
	const settled = run.catch(() => undefined);
	running.set(key, settled);
	try {
		return await run;
	} finally {
		if (running.get(key) === settled) running.delete(key);
	}
}
