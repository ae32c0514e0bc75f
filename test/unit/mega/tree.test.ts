import { randomBytes } from 'node:crypto';

import { AesEcb, encryptAttributes, fingerprint, packNodeKey } from '../../../core/mega/crypto';
import { MegaAmbiguousPathError, MegaNotFoundError } from '../../../core/mega/errors';
import { MegaTree, decryptNodeAttributes, type RawNode } from '../../../core/mega/tree';

const master = randomBytes(16);
const user = 'UserHandle1';
const ecb = new AesEcb(master);

function folder(h: string, p: string, name: string, extra: Record<string, unknown> = {}): RawNode {
	const key = randomBytes(16);
	return { h, p, u: user, t: 1, a: encryptAttributes({ n: name, ...extra }, key).toString('base64url'), k: `${user}:${ecb.encrypt(key).toString('base64url')}`, ts: 1_000 };
}

function file(h: string, p: string, name: string, attrs: Record<string, unknown> = {}, size = 10): RawNode {
	const key = packNodeKey(randomBytes(16), randomBytes(8), randomBytes(8));
	return { h, p, u: user, t: 0, s: size, a: encryptAttributes({ n: name, ...attrs }, key).toString('base64url'), k: `${user}:${ecb.encrypt(key).toString('base64url')}`, ts: 2_000 };
}

function roots(): RawNode[] {
	return [
		{ h: 'ROOT0000', p: '', u: user, t: 2, a: '', ts: 1 },
		{ h: 'INBOX000', p: '', u: user, t: 3, a: '', ts: 1 },
		{ h: 'RUBBISH0', p: '', u: user, t: 4, a: '', ts: 1 },
	];
}

function newTree(nodes: RawNode[], f2: RawNode[] = []): MegaTree {
	const tree = new MegaTree({ masterKey: master, userHandle: user });
	tree.load({ f: [...roots(), ...nodes], f2, ok: [], s: [], sn: 'SN000000001' });
	return tree;
}

describe('MegaTree', () => {
	it('unwraps keys at load but decrypts names lazily, only along the paths used', () => {
		const nodes: RawNode[] = [folder('DOCS0000', 'ROOT0000', 'Documents')];
		for (let i = 0; i < 500; i++) nodes.push(file(`F${String(i).padStart(7, '0')}`, 'ROOT0000', `file-${i}.txt`));
		nodes.push(file('REPORT00', 'DOCS0000', 'report.pdf', { c: fingerprint(Buffer.from('x'), 1_650_000_000) }));
		const tree = newTree(nodes);
		expect([...tree.nodes.values()].every((entry) => entry.attrs === undefined)).toBe(true);
		expect([...tree.nodes.values()].filter((entry) => entry.t <= 1).every((entry) => entry.key instanceof Buffer)).toBe(true);
		const report = tree.resolvePath('/Documents/report.pdf');
		expect(report.h).toBe('REPORT00');
		const decrypted = [...tree.nodes.values()].filter((entry) => entry.attrs !== undefined).length;
		expect(decrypted).toBeLessThan(510);
		const node = tree.toNode(report);
		expect(node).toMatchObject({ name: 'report.pdf', path: '/Documents/report.pdf', type: 'file', size: 10, parentHandle: 'DOCS0000', inRubbishBin: false });
		expect(node.modifiedAt.getTime()).toBe(1_650_000_000_000);
		expect(node.createdAt.getTime()).toBe(2_000_000);
	});

	it('raises not-found and ambiguity errors', () => {
		const tree = newTree([folder('AAAAAAAA', 'ROOT0000', 'Twin'), folder('BBBBBBBB', 'ROOT0000', 'Twin')]);
		expect(() => tree.resolvePath('/Missing')).toThrow(MegaNotFoundError);
		try {
			tree.resolvePath('/Twin/x');
			throw new Error('expected an ambiguity');
		} catch (error) {
			expect(error).toBeInstanceOf(MegaAmbiguousPathError);
			expect((error as MegaAmbiguousPathError).handles.sort()).toEqual(['AAAAAAAA', 'BBBBBBBB']);
		}
	});

	it('knows versions and rubbish-bin paths', () => {
		const tree = newTree([file('CURRENT0', 'ROOT0000', 'a.txt'), folder('TRASHED0', 'RUBBISH0', 'Old', { rr: 'ROOT0000' })], [file('OLDVER00', 'CURRENT0', 'a.txt')]);
		const current = tree.toNode(tree.resolvePath('/a.txt'));
		expect(current.versionCount).toBe(1);
		expect(tree.listChildren('ROOT0000').map((e) => e.h)).toEqual(['CURRENT0']);
		const trashed = tree.toNode(tree.resolvePath('//bin/Old'));
		expect(trashed).toMatchObject({ inRubbishBin: true, path: '//bin/Old', restoreHandle: 'ROOT0000' });
	});

	it('applies action packets: add, rename, move, new version, delete, with own-request detection', () => {
		const tree = newTree([folder('DOCS0000', 'ROOT0000', 'Docs'), file('FILE0000', 'ROOT0000', 'a.txt')]);
		const renamedKeyNode = tree.get('FILE0000');
		const key = renamedKeyNode ? tree.keyOf(renamedKeyNode) : null;
		const newFile = file('NEWFILE0', 'ROOT0000', 'b.txt');
		const renamedAttrs = encryptAttributes({ n: 'renamed.txt' }, key as Buffer).toString('base64url');
		const oldVersion = { ...newFile, h: 'NEWFILE0', p: 'NEWER000' };
		const newer = file('NEWER000', 'ROOT0000', 'b.txt');
		const events = tree.applyPackets(
			[
				{ a: 't', i: 'mine', t: { f: [newFile] } },
				{ a: 'u', n: 'FILE0000', at: renamedAttrs },
				{ a: 'd', n: 'FILE0000', m: 1 },
				{ a: 't', t: { f: [{ ...file('FILE0000', 'DOCS0000', 'x'), a: renamedAttrs, k: tree.get('FILE0000')?.k }] } },
				{ a: 'd', n: 'NEWFILE0', m: 1 },
				{ a: 't', t: { f: [newer], f2: [oldVersion] } },
				{ a: 'd', n: 'DOCS0000' },
			],
			'SN000000002',
			(i) => i === 'mine',
		);
		expect(events.map((e) => [e.type, e.node?.path ?? e.previous?.path, e.own])).toEqual([
			['added', '/b.txt', true],
			['renamed', '/renamed.txt', false],
			['moved', '/Docs/renamed.txt', false],
			['updated', '/b.txt', false],
			['deleted', '/Docs', false],
		]);
		expect(events[1].previous?.name).toBe('a.txt');
		expect(events[2].previous?.path).toBe('/renamed.txt');
		expect(tree.get('FILE0000')).toBeUndefined();
		expect(tree.toNode(tree.resolvePath('/b.txt')).versionCount).toBe(1);
	});
});

describe('MegaTree.prepareNames', () => {
	it('decrypts many names in slices, letting other work run in between, and stops on abort', async () => {
		const nodes: RawNode[] = [];
		for (let i = 0; i < 5_000; i++) nodes.push(folder(`N${String(i).padStart(7, '0')}`, 'ROOT0000', `n-${i}`));
		const tree = newTree(nodes);
		let otherWorkRan = false;
		setImmediate(() => {
			otherWorkRan = true;
		});
		const entries = tree.listChildren('ROOT0000');
		let doneBeforeOtherWork = false;
		const pending = tree.prepareNames(entries, undefined, 1_000).then(() => {
			doneBeforeOtherWork = !otherWorkRan;
		});
		await pending;
		expect(doneBeforeOtherWork).toBe(false);
		expect(entries.every((entry) => entry.attrs !== undefined && entry.attrs !== null)).toBe(true);

		const fresh = newTree(nodes);
		const controller = new AbortController();
		controller.abort();
		await expect(fresh.prepareNames(fresh.listChildren('ROOT0000'), controller.signal, 1_000)).rejects.toMatchObject({ code: 'EABORTED' });
	});
});

describe('decryptNodeAttributes', () => {
	it('reads what the crypto core writes, for folder and file keys, and rejects a wrong key', () => {
		const folderKey = randomBytes(16);
		const fileKey = packNodeKey(randomBytes(16), randomBytes(8), randomBytes(8));
		const attrs = { n: 'naïve 名前.txt', c: 'abc', lbl: 2, unknown: { nested: true } };
		expect(decryptNodeAttributes(encryptAttributes(attrs, folderKey).toString('base64url'), folderKey)).toEqual(attrs);
		expect(decryptNodeAttributes(encryptAttributes(attrs, fileKey).toString('base64url'), fileKey)).toEqual(attrs);
		expect(decryptNodeAttributes(encryptAttributes(attrs, folderKey).toString('base64url'), randomBytes(16))).toBeNull();
		expect(decryptNodeAttributes('', folderKey)).toBeNull();
	});
});
