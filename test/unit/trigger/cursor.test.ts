import type { MegaChangeBatch } from '../../../core/mega/changes';
import { oneAtATime, pollChanges, readCursor, writeCursor, type ChangeSource } from '../../../nodes/MegaTrigger/cursor';
import { ScopeMatcher, TRIGGER_EVENTS } from '../../../nodes/MegaTrigger/events';
import { FixtureTree, ROOT } from './tree-fixture';

const matcher = new ScopeMatcher({ folderHandle: ROOT, includeSubfolders: true, events: new Set(TRIGGER_EVENTS), ignoreOwn: true });

/** A change source over a fixture tree: `pending` events are what MEGA has since the last position. */
function source(t: FixtureTree, next: () => MegaChangeBatch | Error) {
	const calls: Array<string | undefined> = [];
	const src: ChangeSource = {
		async changes(since) {
			calls.push(since);
			const batch = next();
			if (batch instanceof Error) throw batch;
			return batch;
		},
		async tree() {
			return t.tree;
		},
	};
	return { src, calls };
}

describe('cursor in static data', () => {
	it('reads only a well-formed cursor and writes only sn and ts, leaving the object untouched when unchanged', () => {
		expect(readCursor({})).toBeUndefined();
		expect(readCursor({ sn: '' })).toBeUndefined();
		expect(readCursor({ sn: 'abc', ts: 'x' })).toEqual({ sn: 'abc', ts: 0 });
		const data: Record<string, unknown> = { sn: 'old', ts: 1, stray: 'x' };
		writeCursor(data, { sn: 'new', ts: 5 });
		expect(data).toEqual({ sn: 'new', ts: 5 });
		const frozen = Object.freeze({ sn: 'new', ts: 5 });
		expect(() => writeCursor(frozen as Record<string, unknown>, { sn: 'new', ts: 5 })).not.toThrow();
	});
});

describe('pollChanges', () => {
	it('on first activation records the position and the newest creation time, and emits nothing', async () => {
		const t = new FixtureTree([{ h: 'OLDFILE0', p: ROOT, name: 'history.txt', file: true }]);
		const { src, calls } = source(t, () => ({ events: [], sn: t.sn, tooFarBehind: false }));
		const outcome = await pollChanges(src, undefined, async () => matcher);
		expect(calls).toEqual([undefined]);
		expect(outcome.firstActivation).toBe(true);
		expect(outcome.items).toEqual([]);
		expect(outcome.cursor).toEqual({ sn: t.sn, ts: t.tree.get('OLDFILE0')!.ts });
	});

	it('an idle poll resolves no scope and keeps the cursor; a poll with changes moves sn and ts forward', async () => {
		const t = new FixtureTree();
		const start = { sn: t.sn, ts: 5 };
		let resolved = 0;
		const scope = async () => {
			resolved += 1;
			return matcher;
		};
		const idle = source(t, () => ({ events: [], sn: t.sn, tooFarBehind: false }));
		const quiet = await pollChanges(idle.src, start, scope);
		expect(quiet).toMatchObject({ items: [], cursor: start, firstActivation: false });
		expect(resolved).toBe(0);
		const events = t.add('NEWFILE0', ROOT, 'new.txt');
		const busy = source(t, () => ({ events, sn: t.sn, tooFarBehind: false }));
		const outcome = await pollChanges(busy.src, start, scope);
		expect(busy.calls).toEqual([start.sn]);
		expect(outcome.items.map((item) => item.handle)).toEqual(['NEWFILE0']);
		expect(outcome.cursor).toEqual({ sn: t.sn, ts: t.tree.get('NEWFILE0')!.ts });
	});

	it('a failing feed rejects (the caller keeps its cursor)', async () => {
		const t = new FixtureTree();
		const { src } = source(t, () => new Error('EAGAIN'));
		await expect(pollChanges(src, { sn: t.sn, ts: 1 }, async () => matcher)).rejects.toThrow('EAGAIN');
	});

	it('when MEGA is too far behind, falls back to timestamps and the previous tree, marking the items', async () => {
		const t = new FixtureTree([{ h: 'GONE0000', p: ROOT, name: 'gone.txt', file: true }]);
		const previous = t.tree.snapshot();
		const cursor = { sn: t.sn, ts: t.tree.get('GONE0000')!.ts + 1 };
		t.add('LATE0000', ROOT, 'late.txt');
		t.remove('GONE0000');
		t.reload(t.reloadedCopy());
		const { src } = source(t, () => ({ events: [], sn: t.sn, tooFarBehind: true, previousTree: previous }));
		const outcome = await pollChanges(src, cursor, async () => matcher);
		expect(outcome.fellBack).toBe(true);
		expect(outcome.items.map((item) => [item.event, item.handle, item.fromFallback])).toEqual([
			['deleted', 'GONE0000', true],
			['fileAdded', 'LATE0000', true],
		]);
		expect(outcome.cursor).toEqual({ sn: t.sn, ts: t.tree.get('LATE0000')!.ts });
	});
});

describe('oneAtATime', () => {
	it('runs work for the same key one after another, and different keys side by side, also after a failure', async () => {
		const order: string[] = [];
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const first = oneAtATime('wf:a', async () => {
			order.push('a1 start');
			await gate;
			order.push('a1 end');
			throw new Error('first failed');
		});
		const second = oneAtATime('wf:a', async () => {
			order.push('a2');
			return 2;
		});
		const other = oneAtATime('wf:b', async () => {
			order.push('b');
			return 'b';
		});
		await expect(other).resolves.toBe('b');
		release();
		await expect(first).rejects.toThrow('first failed');
		await expect(second).resolves.toBe(2);
		expect(order).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
	});
});
