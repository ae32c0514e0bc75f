import { randomBytes } from 'node:crypto';

import { AesEcb, encryptAttributes, packNodeKey } from '../../../core/mega/crypto';
import { FetchReplyScanner } from '../../../core/mega/api/fetch-scanner';
import { MegaTree, StagedNodes, type FetchReply, type RawNode } from '../../../core/mega/tree';

const master = randomBytes(16);
const user = 'UserHandle1';
const ecb = new AesEcb(master);

function node(h: string, p: string, t: 0 | 1, name: string): RawNode {
	const key = t === 0 ? packNodeKey(randomBytes(16), randomBytes(8), randomBytes(8)) : randomBytes(16);
	return { h, p, u: user, t, s: t === 0 ? 5 : undefined, a: encryptAttributes({ n: name }, key).toString('base64url'), k: `${user}:${ecb.encrypt(key).toString('base64url')}`, ts: 1_000 };
}

function reply(): FetchReply {
	const f: RawNode[] = [
		{ h: 'ROOT0000', p: '', u: user, t: 2, a: '', ts: 1 },
		{ h: 'RUBBISH0', p: '', u: user, t: 4, a: '', ts: 1 },
		node('DOCS0000', 'ROOT0000', 1, 'Documents'),
	];
	for (let i = 0; i < 300; i++) f.push(node(`F${String(i).padStart(7, '0')}`, 'DOCS0000', 0, `file-${i}.txt`));
	// Texts that must read back exactly as sent: standard-alphabet characters, padding, an odd length, an invalid key.
	f.push({ ...node('ODDA0000', 'DOCS0000', 0, 'odd'), a: 'ab+/cd==' });
	f.push({ ...node('ODDB0000', 'DOCS0000', 0, 'odd'), a: 'abcde' });
	f.push({ ...node('BADK0000', 'DOCS0000', 0, 'bad key'), k: `${user}:!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!` });
	return { f, ok: [], s: [], sn: 'SN000000001' };
}

describe('MegaTree.stage / loadStaged (the streaming load)', () => {
	it('gives the same handles, parents, texts, keys, names and paths as load()', () => {
		const source = reply();
		const loaded = new MegaTree({ masterKey: master, userHandle: user });
		loaded.load(source);
		const streamed = new MegaTree({ masterKey: master, userHandle: user });
		const staged = new StagedNodes();
		const scanner = new FetchReplyScanner((raw) => streamed.stage(staged, raw));
		const body = Buffer.from(JSON.stringify([source]));
		for (let offset = 0; offset < body.length; offset += 997) scanner.write(body.subarray(offset, offset + 997));
		const [rest] = scanner.end() as FetchReply[];
		streamed.loadStaged(staged, rest);

		expect(streamed.nodes.size).toBe(loaded.nodes.size);
		for (const [handle, expected] of loaded.nodes) {
			const entry = streamed.get(handle);
			if (!entry) throw new Error(`${handle} is missing`);
			expect([entry.p, entry.t, entry.s, entry.ts, entry.a]).toEqual([expected.p, expected.t, expected.s, expected.ts, expected.a]);
			expect(streamed.keyOf(entry)?.toString('hex')).toBe(loaded.keyOf(expected)?.toString('hex'));
			expect(streamed.nameOf(entry)).toBe(loaded.nameOf(expected));
			expect(streamed.pathOf(entry)).toBe(loaded.pathOf(expected));
		}
		expect(streamed.resolvePath('/Documents/file-299.txt').h).toBe('F0000299');
		expect(streamed.get('ODDA0000')?.a).toBe('ab+/cd==');
		expect(streamed.get('ODDB0000')?.a).toBe('abcde');
		expect(streamed.keyOf(streamed.get('BADK0000') as never)).toBeNull();
		// A child's parent link is its parent's own handle string.
		expect(streamed.get('F0000000')?.p).toBe('DOCS0000');
	});

	it('reads flat nodes straight from the bytes (stageFlat) with the same answers, odd ones through the object form', () => {
		const source = reply();
		// Handles that are not 8 base64url characters, a non-ASCII text and an escaped one take the object form.
		source.f?.push({ ...node('short', 'DOCS0000', 0, 'short handle') });
		source.f?.push({ ...node('UTF80000', 'DOCS0000', 0, 'utf8'), fa: '1:0*é' });
		source.f?.push({ ...node('ESC00000', 'DOCS0000', 0, 'escaped'), fa: 'a"b' });
		source.f?.push({ ...node('NOKEY000', 'DOCS0000', 0, 'no key'), k: '' });
		const loaded = new MegaTree({ masterKey: master, userHandle: user });
		loaded.load(source);
		const streamed = new MegaTree({ masterKey: master, userHandle: user });
		const staged = new StagedNodes();
		let objects = 0;
		const scanner = new FetchReplyScanner(
			(raw) => {
				objects++;
				streamed.stage(staged, raw);
			},
			(buffer, flat) => streamed.stageFlat(staged, buffer, flat),
		);
		const body = Buffer.from(JSON.stringify([source]));
		for (let offset = 0; offset < body.length; offset += 1009) scanner.write(body.subarray(offset, offset + 1009));
		const [rest] = scanner.end() as FetchReply[];
		streamed.loadStaged(staged, rest);

		expect(objects).toBe(3);
		expect(streamed.nodes.size).toBe(loaded.nodes.size);
		for (const [handle, expected] of loaded.nodes) {
			const entry = streamed.get(handle);
			if (!entry) throw new Error(`${handle} is missing`);
			expect([entry.p, entry.t, entry.s, entry.ts, entry.a, entry.k, entry.fa]).toEqual([expected.p, expected.t, expected.s, expected.ts, expected.a, expected.k, expected.fa]);
			expect(streamed.keyOf(entry)?.toString('hex')).toBe(loaded.keyOf(expected)?.toString('hex'));
			expect(streamed.pathOf(entry)).toBe(loaded.pathOf(expected));
		}
		expect(streamed.get('ODDA0000')?.a).toBe('ab+/cd==');
		expect(streamed.get('ODDB0000')?.a).toBe('abcde');
		expect(streamed.keyOf(streamed.get('BADK0000') as never)).toBeNull();
		expect(streamed.get('UTF80000')?.fa).toBe('1:0*é');
		expect(streamed.resolvePath('/Documents/short handle').h).toBe('short');
		expect(streamed.resolvePath('/Documents/file-7.txt').h).toBe('F0000007');
	});
});
