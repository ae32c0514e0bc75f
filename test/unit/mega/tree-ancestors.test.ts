import { randomBytes } from 'node:crypto';

import { AesEcb, encryptAttributes } from '../../../core/mega/crypto';
import { MegaTree, type RawNode } from '../../../core/mega/tree';

const master = randomBytes(16);
const user = 'UserHandle1';
const ecb = new AesEcb(master);

function folder(h: string, p: string, name: string): RawNode {
	const key = randomBytes(16);
	return { h, p, u: user, t: 1, a: encryptAttributes({ n: name }, key).toString('base64url'), k: `${user}:${ecb.encrypt(key).toString('base64url')}`, ts: 1_000 };
}

const roots: RawNode[] = [
	{ h: 'ROOT0000', p: '', u: user, t: 2, a: '', ts: 1 },
	{ h: 'INBOX000', p: '', u: user, t: 3, a: '', ts: 1 },
	{ h: 'RUBBISH0', p: '', u: user, t: 4, a: '', ts: 1 },
];

function newTree(nodes: RawNode[]): MegaTree {
	const tree = new MegaTree({ masterKey: master, userHandle: user });
	tree.load({ f: [...roots, ...nodes], ok: [], s: [], sn: 'SN000000001' });
	return tree;
}

describe('change events carry the folders above the node', () => {
	it('gives ancestors after and before a move, so twin folder names cannot confuse a scope check', () => {
		const a = folder('AAAAAAAA', 'ROOT0000', 'Twin');
		const b = folder('BBBBBBBB', 'ROOT0000', 'Twin');
		const child = folder('CCCCCCCC', 'AAAAAAAA', 'child');
		const tree = newTree([a, b, child]);
		const events = tree.applyPackets(
			[
				{ a: 'd', n: 'CCCCCCCC', m: 1 },
				{ a: 't', t: { f: [{ ...child, p: 'BBBBBBBB' }] } },
			],
			'SN000000002',
			() => false,
		);
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({ type: 'moved', ancestors: ['BBBBBBBB', 'ROOT0000'], previous: { ancestors: ['AAAAAAAA', 'ROOT0000'], path: '/Twin/child', type: 'folder' } });
		expect(events[0].node?.path).toBe('/Twin/child');
	});

	it('keeps a snapshot unchanged when the tree is reloaded', () => {
		const tree = newTree([folder('AAAAAAAA', 'ROOT0000', 'Kept')]);
		const before = tree.snapshot();
		tree.load({ f: [...roots, folder('DDDDDDDD', 'ROOT0000', 'New')], ok: [], s: [], sn: 'SN000000009' });
		expect(before.sn).toBe('SN000000001');
		expect(before.listChildren('ROOT0000').map((entry) => before.nameOf(entry))).toEqual(['Kept']);
		expect(tree.listChildren('ROOT0000').map((entry) => tree.nameOf(entry))).toEqual(['New']);
		expect(tree.get('AAAAAAAA')).toBeUndefined();
	});
});

describe('describing an older stretch of the feed against a newer tree (mutate = false)', () => {
	it('uses the states the stretch itself showed, and says previousUnknown for nodes it had not shown', () => {
		const a = folder('AAAAAAAA', 'ROOT0000', 'A');
		const b = folder('BBBBBBBB', 'ROOT0000', 'B');
		const old = folder('OLDOLDOL', 'BBBBBBBB', 'renamed since');
		// today's tree: the old node already renamed and moved under B; NEW was created, renamed and moved meanwhile
		const created = folder('NEWNEWNE', 'AAAAAAAA', 'first name');
		const tree = newTree([a, b, old, { ...created, p: 'BBBBBBBB' }]);
		const key = (raw: RawNode) => ecb.decrypt(Buffer.from((raw.k as string).split(':')[1], 'base64url'));
		const at = (raw: RawNode, name: string) => encryptAttributes({ n: name }, key(raw)).toString('base64url');
		const window = new Map();
		const first = tree.applyPackets([{ a: 't', t: { f: [created] } }, { a: 'u', n: 'NEWNEWNE', at: at(created, 'second name') }], 'SN000000002', () => false, false, window);
		const second = tree.applyPackets(
			[
				{ a: 'd', n: 'NEWNEWNE', m: 1 },
				{ a: 't', t: { f: [{ ...created, p: 'BBBBBBBB', a: at(created, 'second name') }] } },
				{ a: 'u', n: 'OLDOLDOL', at: at(old, 'renamed since') },
				{ a: 'd', n: 'GONEGONE' },
			],
			'SN000000003',
			() => false,
			false,
			window,
		);
		expect(first.map((e) => [e.type, e.node?.path, e.previous?.name])).toEqual([
			['added', '/A/first name', undefined],
			['renamed', '/A/second name', 'first name'],
		]);
		expect(second.map((e) => [e.type, e.node?.path ?? '', e.previous?.path, e.previousUnknown ?? false])).toEqual([
			['moved', '/B/second name', '/A/second name', false],
			['renamed', '/B/renamed since', '', true],
			['deleted', '', '', true],
		]);
		// nothing was applied to the tree
		expect(tree.get('NEWNEWNE')?.p).toBe('BBBBBBBB');
		expect(tree.sn).toBe('SN000000001');
	});
});
