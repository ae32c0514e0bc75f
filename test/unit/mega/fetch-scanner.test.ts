import { FetchReplyScanner } from '../../../core/mega/api/fetch-scanner';
import type { RawNode } from '../../../core/mega/tree';

/** Feeds `text` to a scanner in pieces of the given sizes (cycled); returns what it read. */
function scan(text: string, pieces: number[]): { nodes: RawNode[]; versions: RawNode[]; rest: unknown } {
	const nodes: RawNode[] = [];
	const versions: RawNode[] = [];
	const scanner = new FetchReplyScanner((node, isVersion) => (isVersion ? versions : nodes).push(node));
	const bytes = Buffer.from(text, 'utf8');
	let offset = 0;
	let index = 0;
	while (offset < bytes.length) {
		const size = pieces[index++ % pieces.length];
		scanner.write(bytes.subarray(offset, offset + size));
		offset += size;
	}
	return { nodes, versions, rest: scanner.end() };
}

const reply = [
	{
		f: [
			{ h: 'AAAAAAAA', t: 2, a: '', k: '', ts: 1700000000 },
			{ h: 'BBBBBBBB', p: 'AAAAAAAA', u: 'uuuuuuuuuuu', t: 1, a: 'bmFtZQ', k: 'uuuuuuuuuuu:abc', ts: 1700000001 },
			{ h: 'CCCCCCCC', p: 'BBBBBBBB', t: 0, a: 'x', k: 'u:k/s:k2', s: 123456789012, ts: -5, fa: '1:2*3' },
			{ h: 'DDDDDDDD', p: 'BBBBBBBB', t: 0, s: 1.5e3, nested: { x: [1, '}', { y: ']' }] }, a: 'q' },
			{ h: 'EEEEEEEE', p: 'BBBBBBBB', t: 1, a: 'with "quote" and \\ backslash', k: 'é ü 😀', extra: null, flag: true },
		],
		f2: [{ h: 'FFFFFFFF', p: 'CCCCCCCC', t: 0, a: 'v', k: 'u:k', s: 1 }],
		ok: [{ h: 'BBBBBBBB', ha: 'ha', k: 'ok' }],
		s: [{ h: 'BBBBBBBB', u: 'EXP', r: 0 }],
		ph: [{ h: 'CCCCCCCC', ph: 'pppppppp' }],
		noise: { f: ['not nodes'], text: '[{"f":[' },
		sn: 'snsnsnsnsns',
	},
];

/** The fields the tree keeps of a node (the scanner may skip others). */
function kept(node: object): Record<string, unknown> {
	const source = node as Record<string, unknown>;
	return Object.fromEntries(['h', 'p', 't', 'a', 'k', 's', 'ts', 'fa'].filter((key) => key in source).map((key) => [key, source[key]]));
}

describe('FetchReplyScanner', () => {
	const text = JSON.stringify(reply);
	const spaced = JSON.stringify(reply, null, 2);

	it.each([[[1]], [[2, 3, 7]], [[13]], [[64]], [[100_000]]])('reads the same nodes and rest as JSON.parse, in pieces of %j bytes', (pieces) => {
		for (const body of [text, spaced]) {
			const { nodes, versions, rest } = scan(body, pieces);
			expect(nodes.map(kept)).toEqual(reply[0].f.map(kept));
			expect(versions.map(kept)).toEqual(reply[0].f2.map(kept));
			expect(rest).toEqual([{ ...reply[0], f: [], f2: [] }]);
		}
	});

	it('passes error replies through untouched', () => {
		expect(scan('-3', [1]).rest).toBe(-3);
		expect(scan('[-9]', [2]).rest).toEqual([-9]);
		expect(scan('{"err":-6}', [3]).rest).toEqual({ err: -6 });
	});

	it('says a body cut short inside the node list is not a whole reply', () => {
		const cut = text.slice(0, text.indexOf('CCCCCCCC') + 4);
		expect(() => scan(cut, [5])).toThrow(SyntaxError);
		expect(() => scan(text.slice(0, -3), [5])).toThrow(SyntaxError);
	});
});
