import { ScopeMatcher, TRIGGER_EVENTS, fallbackItems, itemsFromEvents, newestFileInScope, parseExtensions, type TriggerScope } from '../../../nodes/MegaTrigger/events';
import { FixtureTree, ROOT, RUBBISH } from './tree-fixture';

function matcher(overrides: Partial<TriggerScope> = {}): ScopeMatcher {
	return new ScopeMatcher({ folderHandle: 'WATCHED0', includeSubfolders: true, events: new Set(TRIGGER_EVENTS), ignoreOwn: true, ...overrides });
}

function fixture(): FixtureTree {
	return new FixtureTree([
		{ h: 'WATCHED0', p: ROOT, name: 'Watched' },
		{ h: 'SUBFOLD0', p: 'WATCHED0', name: 'Sub' },
		{ h: 'OUTSIDE0', p: ROOT, name: 'Outside' },
		{ h: 'TWINOUT0', p: ROOT, name: 'Watched' },
		{ h: 'FILEIN00', p: 'WATCHED0', name: 'in.txt', file: true },
		{ h: 'FILEOUT0', p: 'OUTSIDE0', name: 'out.txt', file: true },
	]);
}

const summary = (items: Array<{ event: string; handle: string }>) => items.map((item) => `${item.event}:${item.handle}`);

describe('itemsFromEvents: each event type', () => {
	it('turns additions, versions, renames, moves, deletions and links into one item each, with the fields', () => {
		const t = fixture();
		const m = matcher();
		const added = itemsFromEvents(t.add('NEWFILE0', 'WATCHED0', 'report.pdf'), m);
		expect(added).toEqual([
			expect.objectContaining({ event: 'fileAdded', handle: 'NEWFILE0', name: 'report.pdf', path: '/Watched/report.pdf', type: 'file', size: 42, parentHandle: 'WATCHED0', link: null }),
		]);
		expect(added[0].modifiedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
		expect(summary(itemsFromEvents(t.add('NEWDIR00', 'SUBFOLD0', 'Deep', false), m))).toEqual(['folderAdded:NEWDIR00']);
		expect(itemsFromEvents(t.newVersion('NEWVERS0', 'NEWFILE0', 'report.pdf'), m)).toEqual([expect.objectContaining({ event: 'fileUpdated', handle: 'NEWVERS0', path: '/Watched/report.pdf' })]);
		expect(itemsFromEvents(t.rename('NEWVERS0', 'final.pdf'), m)).toEqual([
			expect.objectContaining({ event: 'renamed', handle: 'NEWVERS0', oldName: 'report.pdf', newName: 'final.pdf', oldPath: '/Watched/report.pdf', newPath: '/Watched/final.pdf', name: 'final.pdf' }),
		]);
		expect(itemsFromEvents(t.move('NEWVERS0', 'SUBFOLD0'), m)).toEqual([
			expect.objectContaining({ event: 'moved', oldPath: '/Watched/final.pdf', newPath: '/Watched/Sub/final.pdf', oldParentHandle: 'WATCHED0', parentHandle: 'SUBFOLD0' }),
		]);
		const linked = itemsFromEvents(t.link('NEWVERS0'), m);
		expect(linked).toEqual([expect.objectContaining({ event: 'linkCreated', handle: 'NEWVERS0' })]);
		expect(linked[0].link).toMatch(/^https:\/\/mega\.nz\/file\/PEWVERS0#/);
		expect(summary(itemsFromEvents(t.link('NEWVERS0', false), m))).toEqual(['linkRemoved:NEWVERS0']);
		expect(itemsFromEvents(t.move('NEWVERS0', RUBBISH), m)).toEqual([
			expect.objectContaining({ event: 'deleted', handle: 'NEWVERS0', path: '/Watched/Sub/final.pdf', newPath: '//bin/final.pdf', inRubbishBin: true, reason: 'movedToRubbishBin', type: 'file' }),
		]);
		expect(itemsFromEvents(t.move('NEWVERS0', 'WATCHED0'), m)).toEqual([
			expect.objectContaining({ event: 'fileAdded', handle: 'NEWVERS0', oldPath: '//bin/final.pdf', reason: 'restoredFromRubbishBin' }),
		]);
		expect(itemsFromEvents(t.remove('FILEIN00'), m)).toEqual([
			expect.objectContaining({ event: 'deleted', handle: 'FILEIN00', name: 'in.txt', path: '/Watched/in.txt', inRubbishBin: false, reason: 'removed', type: 'file', size: 42 }),
		]);
		expect(itemsFromEvents(t.remove('SUBFOLD0'), m)).toEqual([expect.objectContaining({ event: 'deleted', handle: 'SUBFOLD0', type: 'folder' })]);
	});

	it('keeps only the chosen events', () => {
		const t = fixture();
		const m = matcher({ events: new Set(['deleted']) });
		expect(itemsFromEvents(t.add('NEWFILE0', 'WATCHED0', 'a.txt'), m)).toEqual([]);
		expect(itemsFromEvents(t.rename('FILEIN00', 'b.txt'), m)).toEqual([]);
		expect(summary(itemsFromEvents(t.remove('FILEIN00'), m))).toEqual(['deleted:FILEIN00']);
	});
});

describe('itemsFromEvents: scope', () => {
	it('ignores changes outside the folder, including in a twin folder of the same name', () => {
		const t = fixture();
		const m = matcher();
		expect(itemsFromEvents(t.add('A0000000', 'OUTSIDE0', 'x.txt'), m)).toEqual([]);
		expect(itemsFromEvents(t.add('B0000000', 'TWINOUT0', 'x.txt'), m)).toEqual([]);
		expect(itemsFromEvents(t.rename('FILEOUT0', 'y.txt'), m)).toEqual([]);
		expect(itemsFromEvents(t.remove('FILEOUT0'), m)).toEqual([]);
		expect(itemsFromEvents(t.rename('WATCHED0', 'Renamed watched'), m)).toEqual([]);
	});

	it('without subfolders, only direct children count (a move between levels crosses the boundary)', () => {
		const t = fixture();
		const m = matcher({ includeSubfolders: false });
		expect(itemsFromEvents(t.add('DEEP0000', 'SUBFOLD0', 'deep.txt'), m)).toEqual([]);
		expect(summary(itemsFromEvents(t.add('TOP00000', 'WATCHED0', 'top.txt'), m))).toEqual(['fileAdded:TOP00000']);
		expect(itemsFromEvents(t.move('DEEP0000', 'WATCHED0'), m)).toEqual([expect.objectContaining({ event: 'fileAdded', reason: 'movedIntoScope', oldPath: '/Watched/Sub/deep.txt' })]);
		expect(itemsFromEvents(t.move('TOP00000', 'SUBFOLD0'), m)).toEqual([expect.objectContaining({ event: 'deleted', reason: 'movedOutOfScope', inRubbishBin: false, newPath: '/Watched/Sub/top.txt' })]);
	});

	it('counts a move in as an addition and a move out as a deletion, and a move between outside folders as nothing', () => {
		const t = fixture();
		const m = matcher();
		expect(itemsFromEvents(t.move('FILEOUT0', 'SUBFOLD0'), m)).toEqual([
			expect.objectContaining({ event: 'fileAdded', handle: 'FILEOUT0', path: '/Watched/Sub/out.txt', oldPath: '/Outside/out.txt', reason: 'movedIntoScope' }),
		]);
		expect(itemsFromEvents(t.move('FILEOUT0', 'TWINOUT0'), m)).toEqual([
			expect.objectContaining({ event: 'deleted', handle: 'FILEOUT0', path: '/Watched/Sub/out.txt', newPath: '/Watched/out.txt', reason: 'movedOutOfScope' }),
		]);
		expect(itemsFromEvents(t.move('FILEOUT0', 'OUTSIDE0'), m)).toEqual([]);
		// a folder moved in is one change (its contents come with it, as MEGA reports it)
		expect(summary(itemsFromEvents(t.move('OUTSIDE0', 'WATCHED0'), m))).toEqual(['folderAdded:OUTSIDE0']);
	});

	it('filters by name glob (case-insensitive) and extensions (files only)', () => {
		const t = fixture();
		const glob = matcher({ nameGlob: 'invoice-*.PDF' });
		expect(summary(itemsFromEvents(t.add('INV00000', 'WATCHED0', 'Invoice-7.pdf'), glob))).toEqual(['fileAdded:INV00000']);
		expect(itemsFromEvents(t.add('OTHER000', 'WATCHED0', 'notes.pdf'), glob)).toEqual([]);
		// a rename counts when the old or the new name matches
		expect(summary(itemsFromEvents(t.rename('OTHER000', 'invoice-8.pdf'), glob))).toEqual(['renamed:OTHER000']);
		expect(summary(itemsFromEvents(t.rename('OTHER000', 'gone.pdf'), glob))).toEqual(['renamed:OTHER000']);
		const ext = matcher({ extensions: parseExtensions('pdf, .JPG') });
		expect(summary(itemsFromEvents(t.add('PHOTO000', 'WATCHED0', 'x.jpg'), ext))).toEqual(['fileAdded:PHOTO000']);
		expect(itemsFromEvents(t.add('TEXT0000', 'WATCHED0', 'x.txt'), ext)).toEqual([]);
		expect(itemsFromEvents(t.add('DIR00000', 'WATCHED0', 'folder.pdf', false), ext)).toEqual([]);
		expect(parseExtensions(' .tar.gz ;*.PNG,,')).toEqual(['tar.gz', 'png']);
	});
});

describe('itemsFromEvents: loop guard', () => {
	it("skips this process's own changes unless asked not to", () => {
		const t = fixture();
		const own = t.add('MINE0000', 'WATCHED0', 'mine.txt', true, true);
		expect(own[0].own).toBe(true);
		expect(itemsFromEvents(own, matcher())).toEqual([]);
		expect(summary(itemsFromEvents(own, matcher({ ignoreOwn: false })))).toEqual(['fileAdded:MINE0000']);
		expect(summary(itemsFromEvents(t.add('THEIRS00', 'WATCHED0', 'theirs.txt'), matcher()))).toEqual(['fileAdded:THEIRS00']);
	});
});

describe('fallbackItems (after MEGA -6)', () => {
	it('with the previous tree: additions newer than ts that it did not have, deletions and trashings by comparison, versions as updates', async () => {
		const t = fixture();
		t.add('KEEP0000', 'WATCHED0', 'keep.txt');
		t.add('OLDVER00', 'WATCHED0', 'doc.txt');
		const since = t.tree.get('OLDVER00')!.ts;
		const previous = t.tree.snapshot();
		t.add('NEW00000', 'SUBFOLD0', 'new.txt');
		t.newVersion('NEWVER00', 'OLDVER00', 'doc.txt');
		t.remove('FILEIN00');
		t.move('KEEP0000', RUBBISH);
		t.add('OUTNEW00', 'OUTSIDE0', 'elsewhere.txt');
		t.reload(t.reloadedCopy());
		const items = await fallbackItems(t.tree, previous, since, matcher());
		expect(items.every((item) => item.fromFallback === true)).toBe(true);
		expect(items.map((item) => [item.event, item.handle, item.reason ?? ''])).toEqual([
			['deleted', 'FILEIN00', 'removed'],
			['deleted', 'KEEP0000', 'movedToRubbishBin'],
			['fileAdded', 'NEW00000', ''],
			['fileUpdated', 'NEWVER00', ''],
		]);
		expect(items[0]).toMatchObject({ name: 'in.txt', path: '/Watched/in.txt', inRubbishBin: false });
		expect(items[1]).toMatchObject({ inRubbishBin: true, newPath: '//bin/keep.txt' });
	});

	it('reports a folder that went with its contents once, as the feed does', async () => {
		const t = fixture();
		t.add('SUBFILE0', 'SUBFOLD0', 'sub.txt');
		const previous = t.tree.snapshot();
		t.remove('SUBFOLD0');
		t.reload(t.reloadedCopy());
		const items = await fallbackItems(t.tree, previous, Number.MAX_SAFE_INTEGER, matcher());
		expect(items.map((item) => [item.event, item.handle, item.type])).toEqual([['deleted', 'SUBFOLD0', 'folder']]);
	});

	it('without it (a restarted process): only additions at or after ts, in creation order', async () => {
		const t = fixture();
		t.add('BEFORE00', 'WATCHED0', 'before.txt');
		const since = t.tree.get('BEFORE00')!.ts + 1;
		t.add('LATER001', 'WATCHED0', 'later-1.txt');
		t.add('LATER002', 'SUBFOLD0', 'later-2.txt');
		t.remove('FILEIN00');
		const items = await fallbackItems(t.tree, undefined, since, matcher());
		expect(items.map((item) => [item.event, item.handle, item.fromFallback])).toEqual([
			['fileAdded', 'LATER001', true],
			['fileAdded', 'LATER002', true],
		]);
		expect(await fallbackItems(t.tree, undefined, since, matcher({ events: new Set(['deleted']) }))).toEqual([]);
	});
});

describe('newestFileInScope (the manual test sample)', () => {
	it('picks the newest matching file in scope, or nothing', async () => {
		const t = fixture();
		t.add('A1000000', 'SUBFOLD0', 'a.csv');
		t.add('B1000000', 'WATCHED0', 'b.txt');
		t.add('C1000000', 'OUTSIDE0', 'c.csv');
		expect(await newestFileInScope(t.tree, matcher())).toMatchObject({ handle: 'B1000000', event: 'fileAdded' });
		expect(await newestFileInScope(t.tree, matcher({ extensions: ['csv'] }))).toMatchObject({ handle: 'A1000000' });
		expect(await newestFileInScope(t.tree, matcher({ extensions: ['csv'], includeSubfolders: false }))).toBeUndefined();
	});
});
